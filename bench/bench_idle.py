"""P4: what a run costs when there is nothing to do, and how fast the command starts.

An idle run: order download on a store whose orders were all sent by an earlier run; the orders
were modified one second apart, so the 10-minute overlap window holds the last 600 of them, which
each run reads again. Measured: the CPU time of the run's own work once cartsync is loaded
(configuration, connections, the read, the ledger checks: bench/idle_run.py), goal ≤ 0.3 s;
beside it the CPU time of a whole `cartsync run pipeline` process (the interpreter's start and
every import included) and the store requests a run makes. The command's start: `cartsync --help`,
wall time, beside `python -c pass` (the interpreter's own start, for scale). Goal ≤ 0.25 s.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.harness import CARTSYNC, Measured, interleaved, run_process, sandbox, spread, store_requests
from bench.report import Row
from bench.world import ENV, ORDER_DOWNLOAD, client_folder, run_command

IDLE_CPU_GOAL = 0.3
START_GOAL = 0.25


@dataclass(frozen=True)
class Size:
    orders: int
    rounds: int


def measure(size: Size) -> list[Row]:
    with sandbox("store", "--orders", str(size.orders)) as store_url, \
            sandbox("wms", "--skus", "1000") as wms_url, tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        client_folder(folder, store_url, wms_url)
        command = run_command(ORDER_DOWNLOAD, folder)
        run_process(command, env=ENV)  # sends every order
        requests: list[int] = []
        inside = [sys.executable, "-m", "bench.idle_run", str(ORDER_DOWNLOAD),
                  str(folder / "connections.yaml"), str(folder / "state.db")]

        def idle(round_number: int) -> Measured:
            before = sum(store_requests(store_url).values())
            measured = run_process(command, env=ENV)
            requests.append(sum(store_requests(store_url).values()) - before)
            return measured

        figures = interleaved(size.rounds, {"idle run": idle,
                                            "inside": lambda number: run_process(inside, env=ENV)})
        runs = figures["idle run"]
        own = [json.loads(m.output.strip().splitlines()[-1])["cpu"] for m in figures["inside"]]
        starts = interleaved(size.rounds * 2, {
            "cartsync --help": lambda number: run_process([*CARTSYNC, "--help"]),
            "python -c pass": lambda number: run_process([sys.executable, "-c", "pass"]),
        })
    cpu_min, cpu_median = spread([m.cpu for m in runs])
    own_min, own_median = spread(own)
    wall_min, wall_median = spread([m.wall for m in runs])
    help_min, help_median = spread([m.wall for m in starts["cartsync --help"]])
    python_min, _ = spread([m.wall for m in starts["python -c pass"]])
    return [
        Row("P4 idle order-download run, CPU of its work once loaded (median)", own_median, " s",
            IDLE_CPU_GOAL,
            f"{size.orders:,} orders sent before, 600 in the overlap window: {own_min:.2f} / "
            f"{own_median:.2f} s; the whole `cartsync run` process: CPU {cpu_min:.2f} / {cpu_median:.2f} s, "
            f"wall {wall_min:.2f} / {wall_median:.2f} s; {max(requests)} store requests a run"),
        Row("P4 `cartsync --help`, wall (min; the machine is shared)", help_min, " s", START_GOAL,
            f"{help_min:.2f} / {help_median:.2f} s; `python -c pass` {python_min:.2f} s (min)"),
    ]
