"""`make scale` (or `python -m scale`): many clients scheduled by beat on two Celery workers for a
few minutes; exit 1 when a due run did not happen, a pipeline ran twice at once, or a record was
duplicated or lost. See scale/__init__.py."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from rich.console import Console
from throwaway.ports import Missing

from scale.run import Settings, run_scale
from scale.table import print_verdict


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m scale", description=__doc__)
    parser.add_argument("--clients", type=int, default=50, help="default 50 (at least 6)")
    parser.add_argument("--minutes", type=float, default=3.0, help="how long beat runs (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="Celery workers (default 2)")
    parser.add_argument("--concurrency", type=int, default=2, help="processes per worker (default 2)")
    parser.add_argument("--keep", type=Path, help="keep the client folders and logs in this folder")
    options = parser.parse_args(argv)
    if options.clients < 6:
        parser.error("--clients: at least 6 (the last 5 have their inventory sync in quiet hours)")
    if min(options.minutes, options.workers, options.concurrency) <= 0:
        parser.error("--minutes, --workers and --concurrency must be above 0")
    console = Console(width=160)  # the tables' columns, also when piped
    try:
        outcome = run_scale(Settings(options.clients, options.minutes, options.workers, options.concurrency,
                                     options.keep))
    except Missing as missing:
        console.print(f"scale: skipped: {missing}", highlight=False)
        return 1
    passed = print_verdict(console, outcome)
    if passed and options.keep is None:
        shutil.rmtree(outcome.logs.parent, ignore_errors=True)
    else:
        console.print(f"client folders and logs kept in {outcome.logs.parent}", highlight=False)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
