"""P2 and P2b: memory stays flat as the orders grow, and the state file stays small.

Order download of N orders (store → WMS over HTTP, no added latency) in a `cartsync run pipeline`
process of its own, for a small and a large N: its peak resident memory (the kernel's count for
the process), and the size of the state file it leaves, per order. Goals: peak memory for the
large N ≤ 1.2× the small N's; ≤ 1 KB of state file per order.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.harness import Measured, ledger_count, run_process, sandbox
from bench.report import Row
from bench.world import ENV, ORDER_DOWNLOAD, client_folder, run_command

RSS_GOAL = 1.2
BYTES_GOAL = 1024


@dataclass(frozen=True)
class Size:
    small: int
    large: int


def measure(size: Size) -> list[Row]:
    small, small_bytes = _run(size.small)
    large, large_bytes = _run(size.large)
    return [
        Row(f"P2 peak memory, {size.large:,} orders ÷ {size.small:,}", large.peak_rss / small.peak_rss, "×",
            RSS_GOAL, f"{large.peak_rss / 2**20:.0f} MB for {size.large:,} orders ({large.wall:.0f} s), "
            f"{small.peak_rss / 2**20:.0f} MB for {size.small:,}"),
        Row("P2b state file per order after a run", large_bytes / 1024, " KB", BYTES_GOAL / 1024,
            f"{large_bytes * size.large / 2**20:.1f} MB for {size.large:,} orders; "
            f"{small_bytes:.0f} bytes an order for {size.small:,}"),
    ]


def _run(orders: int) -> tuple[Measured, float]:
    """One order download of `orders` orders: the process's figures, and state bytes per order."""
    with sandbox("store", "--orders", str(orders)) as store_url, \
            sandbox("wms", "--skus", "1000") as wms_url, tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        client_folder(folder, store_url, wms_url)
        measured = run_process(run_command(ORDER_DOWNLOAD, folder), env=ENV)
        state = folder / "state.db"
        sent = ledger_count(state, "order", "at_wms")
        if sent != orders:
            raise RuntimeError(f"cartsync sent {sent} of {orders} orders:\n{measured.output}")
        size = sum(path.stat().st_size for path in folder.glob("state.db*"))
    return measured, size / orders
