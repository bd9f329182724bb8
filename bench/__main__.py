"""`make bench`: every workload against its baseline, one table of ratios, written to docs/benchmarks.md.

`make bench QUICK=1` (`python -m bench --quick`) runs small sizes in a few minutes; the full sizes
are the ones the goals name and take much longer on a 2-core machine. `--only P3` runs one
workload (its table is printed, docs/benchmarks.md is left alone). A full run then measures the
Celery workers against sequential runs (bench_workers), the freshness of orders under
`cartsync serve` (bench_freshness) and the web console's pages (bench_console), which print
their own figures.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from bench import (
    bench_console,
    bench_cpu,
    bench_freshness,
    bench_idle,
    bench_inventory,
    bench_memory,
    bench_throughput,
    bench_workers,
)
from bench.harness import compile_checkout
from bench.report import Row, table, write_doc

# workload: (how it is measured, the full size the goals name, the quick size)
WORKLOADS: dict[str, tuple[Callable[[Any], list[Row]], Any, Any]] = {
    "P1": (bench_throughput.measure, bench_throughput.Size(orders=10_000, rounds=3),
           bench_throughput.Size(orders=1_000, rounds=2)),
    "P1b": (bench_cpu.measure, bench_cpu.Size(orders=10_000, rounds=5),
            bench_cpu.Size(orders=2_000, rounds=3)),
    "P2": (bench_memory.measure, bench_memory.Size(small=10_000, large=100_000),
           bench_memory.Size(small=1_000, large=10_000)),
    "P3": (bench_inventory.measure, bench_inventory.Size(skus=50_000, rounds=3),
           bench_inventory.Size(skus=10_000, rounds=2)),
    "P4": (bench_idle.measure, bench_idle.Size(orders=10_000, rounds=5),
           bench_idle.Size(orders=2_000, rounds=3)),
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--only", choices=sorted(WORKLOADS), help="one workload")
    options = parser.parse_args()
    started = time.perf_counter()
    compile_checkout()
    rows: list[Row] = []
    for name, (measure, full, quick) in WORKLOADS.items():
        if options.only in (None, name):
            print(f"{name}…", flush=True)
            measured = measure(quick if options.quick else full)
            print(table(measured), flush=True)  # each as it comes: a long run that fails keeps the others
            rows += measured
    print("\n" + table(rows))
    if options.only is None:
        write_doc(rows, quick=options.quick, took=time.perf_counter() - started)
        print("written to docs/benchmarks.md")
    if options.only is None and not options.quick:
        print(f"\n# {(bench_workers.__doc__ or '').splitlines()[0]}")
        bench_workers.main()
        print(f"\n# {(bench_freshness.__doc__ or '').splitlines()[0]}")
        bench_freshness.main([])
        print(f"\n# {(bench_console.__doc__ or '').splitlines()[0]}")
        bench_console.main()


if __name__ == "__main__":
    main()
