"""P3: inventory sync, 50,000 SKUs, 1% of them changed since the last sync, 20 ms per call to either
system: cartsync (the shipped pipeline) against one read pass over the WMS's stock.

Before the measured rounds, the state holds 1,000 orders held in `error` (3 lines each, so the
pending-orders subtraction has work) and a first sync has sent every quantity. Each round then
changes 1% of the SKUs at the WMS and runs the sync again; the baseline reads every stock page
once (bench/baseline_stock.py). Goals: the sync takes ≤ 1.5× the read pass, and sends the changed
quantities in ceil(changed / 500) store calls.
"""

from __future__ import annotations

import math
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.harness import Measured, interleaved, run_process, sandbox, spread, store_requests
from bench.report import Row
from bench.world import ENV, INVENTORY_SYNC, client_folder, run_command
from cartsync.connectors.opencart.stock import MAX_ITEMS
from cartsync.engine.state import RowChange, StateStore

LATENCY = 0.02
GOAL = 1.5
PENDING_ORDERS = 1000


@dataclass(frozen=True)
class Size:
    skus: int
    rounds: int


def measure(size: Size) -> list[Row]:
    changed = size.skus // 100
    latency = str(LATENCY)
    with sandbox("store", "--products", str(size.skus), "--latency", latency) as store_url, \
            sandbox("wms", "--skus", str(size.skus), "--latency", latency) as wms_url, \
            tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        client_folder(folder, store_url, wms_url)
        _pending_orders(folder / "state.db", size.skus)
        run_process(run_command(INVENTORY_SYNC, folder), env=ENV)  # the first sync sends everything
        calls: list[int] = []

        def cartsync(round_number: int) -> Measured:
            _change(wms_url, range(round_number * changed, (round_number + 1) * changed), size.skus)
            before = store_requests(store_url).get("stock", 0)
            measured = run_process(run_command(INVENTORY_SYNC, folder), env=ENV)
            calls.append(store_requests(store_url).get("stock", 0) - before)
            return measured

        def read_pass(round_number: int) -> Measured:
            return run_process([sys.executable, "-m", "bench.baseline_stock", wms_url])

        figures = interleaved(size.rounds, {"cartsync": cartsync, "read pass": read_pass})
    ours, base = [m.wall for m in figures["cartsync"]], [m.wall for m in figures["read pass"]]
    (ours_min, ours_median), (base_min, base_median) = spread(ours), spread(base)
    expected = math.ceil(changed / MAX_ITEMS)
    return [
        Row("P3 inventory sync ÷ one read pass of the WMS's stock (median)",
            statistics.median(o / b for o, b in zip(ours, base, strict=True)), "×", GOAL,
            f"{size.skus:,} SKUs, {changed} changed, {LATENCY * 1000:g} ms per call: cartsync "
            f"{ours_min:.1f} / {ours_median:.1f} s, read pass at 500 rows a page {base_min:.1f} / "
            f"{base_median:.1f} s"),
        Row("P3 store calls ÷ ceil(changed ÷ batch size), most in a round", max(calls) / expected, "×", 1.0,
            f"store stock calls per round: {', '.join(map(str, calls))} for {changed} changes, "
            f"{MAX_ITEMS} items a call"),
    ]


def _pending_orders(state: Path, skus: int) -> None:
    """Orders downloaded but held in `error`: their lines are subtracted from the stock pushed."""
    store = StateStore.open(state)
    with store.transaction() as tx:
        tx.changes([
            RowChange("order", str(n), "order_download", "rejected", "held for the benchmark", status="error",
                      record={"order_id": n, "lines": _lines(n, skus)}, last_error="benchmark")
            for n in range(1, PENDING_ORDERS + 1)
        ])
    store.close()


def _lines(order: int, skus: int) -> list[dict[str, object]]:
    return [{"sku": f"SKU-{(order * 7 + n) % skus + 1:05d}", "qty": n + 1} for n in range(3)]


def _change(wms_url: str, numbers: range, skus: int) -> None:
    """Take one unit of stock off each of these SKUs at the WMS (an operator route: no latency)."""
    with requests.Session() as session:
        for number in numbers:
            sku = f"SKU-{number % skus + 1:05d}"
            change = {"sku": sku, "delta": -1, "facilityId": 1}
            session.post(f"{wms_url}/_sandbox/adjust-stock", json=change).raise_for_status()
