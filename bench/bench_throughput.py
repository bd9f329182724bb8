"""P1: order download, sandbox store → sandbox WMS over HTTP with 20 ms per WMS call, cartsync
(the shipped pipeline, default settings) against a sequential hand-written `requests` script.

Both make the same calls: the store's login, version, statuses and order pages, a WMS token,
one POST per order. Each run gets a fresh WMS (so every order is new to it) and cartsync a fresh
state file; the store is shared (order download only reads it). Goal: ≥ 8× the script's speed.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.harness import Measured, interleaved, ledger_count, run_process, sandbox, spread
from bench.report import Row
from bench.world import ENV, ORDER_DOWNLOAD, client_folder, run_command

LATENCY = 0.02  # seconds per WMS call
GOAL = 8.0
PAGE_SIZE = 200  # cartsync's default store page size


@dataclass(frozen=True)
class Size:
    orders: int
    rounds: int


def measure(size: Size) -> list[Row]:
    products = str(min(size.orders, 1000))
    with sandbox("store", "--orders", str(size.orders), "--products", products) as store_url, \
            tempfile.TemporaryDirectory() as scratch:

        def fresh_wms_run(command: list[str], env: dict[str, str] | None = None) -> Measured:
            with sandbox("wms", "--skus", products, "--latency", str(LATENCY)) as wms_url:
                return run_process([part.replace("WMS_URL", wms_url) for part in command], env=env)

        def script(round_number: int) -> Measured:
            return fresh_wms_run([sys.executable, "-m", "bench.baseline_orders", store_url, "WMS_URL",
                                  str(PAGE_SIZE)])

        def cartsync(round_number: int) -> Measured:
            folder = Path(scratch) / f"round{round_number}"
            with sandbox("wms", "--skus", products, "--latency", str(LATENCY)) as wms_url:
                client_folder(folder, store_url, wms_url)
                measured = run_process(run_command(ORDER_DOWNLOAD, folder), env=ENV)
            delivered = ledger_count(folder / "state.db", "order", "at_wms")
            if delivered != size.orders:
                raise RuntimeError(f"cartsync sent {delivered} of {size.orders} orders:\n{measured.output}")
            return measured

        figures = interleaved(size.rounds, {"script": script, "cartsync": cartsync})
    script_min, script_median = spread([m.wall for m in figures["script"]])
    ours_min, ours_median = spread([m.wall for m in figures["cartsync"]])
    detail = (f"{size.orders:,} orders × 3 lines, {LATENCY * 1000:g} ms per WMS call: cartsync "
              f"{ours_min:.1f} / {ours_median:.1f} s, sequential script {script_min:.1f} / "
              f"{script_median:.1f} s ({size.orders / script_median:.0f} orders/s); "
              f"{script_min / ours_min:.1f}× by min")
    return [Row("P1 order download, speed-up over the sequential script (median)",
                script_median / ours_median, "×", GOAL, detail, higher_is_better=True)]
