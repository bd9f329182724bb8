"""`make chaos` (or `python -m chaos`): each job's runs killed -9 and both systems broken under
them, with the WMS's duplicate check off; exit 1 on any duplicate, loss, or pipeline blocked
longer than its lease. README, "Chaos suite"."""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from rich.console import Console

from cartsync.connectors.opencart.versions import VERSIONS
from chaos.jobs import JOBS
from chaos.suite import EACH, MODES, Settings, run_suite
from chaos.table import print_verdict
from chaos.world import ROOT

DEFAULT_FOLDER = ROOT / ".cartsync" / "chaos"


def _names(allowed: tuple[str, ...]) -> type:
    def parse(text: str) -> tuple[str, ...]:
        names = tuple(name.strip() for name in text.split(",") if name.strip())
        unknown = [name for name in names if name not in allowed]
        if unknown or not names:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(allowed)} (comma-separated)")
        return names

    return parse  # type: ignore[return-value]


def _positive(kind: type) -> type:
    def parse(text: str) -> float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0, not {text}")
        return value

    return parse  # type: ignore[return-value]


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m chaos", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  make chaos CHAOS_ARGS=\"--seed 123456\"    (replay a run)\n"
        "  make chaos CHAOS_ARGS=\"--seed 123456 --jobs shipment_confirmation --modes store-faults\"")
    parser.add_argument("--seed", type=int, help="replay a run: the seed it printed (default: a new one)")
    parser.add_argument("--jobs", type=_names(tuple(JOBS)), default=tuple(JOBS), help="default: all three")
    parser.add_argument("--modes", type=_names(MODES), default=MODES, help=f"default: {','.join(MODES)}")
    parser.add_argument("--orders", type=_positive(int), default=1000,
                        help="orders for order download and shipment confirmation")
    parser.add_argument("--skus", type=_positive(int), default=1000, help="SKUs for inventory sync")
    parser.add_argument("--kills", type=_positive(int), default=20, help="runs killed -9 per job")
    parser.add_argument("--lease", type=_positive(float), default=2.0, help="seconds of each run's lease")
    parser.add_argument("--store-version", default=EACH, choices=[EACH, *VERSIONS],
                        help="the sandbox store's OpenCart version (default: drawn from the seed for each "
                        "job and mode)")
    parser.add_argument("--quick", action="store_true", help="the bounded subset `make test` runs")
    parser.add_argument("--serial", action="store_true",
                        help="one job after the other (default: all at once, each in its own worlds)")
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="state and logs of each run")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # a log or a pipe: tables as wide as on a terminal
    seed = arguments.seed if arguments.seed is not None else random.SystemRandom().randrange(10**6)
    settings = Settings(seed=seed, folder=arguments.folder / str(seed), orders=arguments.orders,
                        skus=arguments.skus, kills=arguments.kills, lease=arguments.lease,
                        store_version=arguments.store_version, jobs=arguments.jobs, modes=arguments.modes)
    console.print(f"[bold]cartsync chaos[/], seed {seed} (replay: make chaos CHAOS_ARGS=\"--seed {seed}\")",
                  highlight=False)
    started = time.monotonic()
    results = run_suite(settings, lambda line: console.print(line, highlight=False, markup=False),
                        quick=arguments.quick,
                        parallel=not arguments.serial)
    held = print_verdict(console, results, settings.quick() if arguments.quick else settings)
    console.print(f"wall time {time.monotonic() - started:.0f} s", highlight=False)
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
