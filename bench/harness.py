"""Running and measuring: processes (wall, CPU, peak memory), sandboxes as processes of their own,
and rounds that interleave cartsync with its baseline.

Every measured thing runs in a process of its own, as a scheduler would start it, so its CPU time
and peak memory are its own; the sandboxes too, so their work is not counted as cartsync's.
"""

from __future__ import annotations

import compileall
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
CARTSYNC = (sys.executable, "-m", "cartsync.cli")
_URL = re.compile(r"http://127\.0\.0\.1:\d+")


@dataclass(frozen=True)
class Measured:
    wall: float  # seconds
    cpu: float  # seconds of user + system time
    peak_rss: int  # bytes
    output: str


def compile_checkout() -> None:
    """Byte-compile cartsync, as installing it does: every process then starts from compiled
    modules (this machine may set PYTHONDONTWRITEBYTECODE, and a run would compile them each time)."""
    for name in ("engine", "connectors", "commands", "console", "bench"):
        compileall.compile_dir(ROOT / name, quiet=1)
    for name in ("__init__.py", "cli.py"):
        compileall.compile_file(ROOT / name, quiet=1)


def run_process(command: Sequence[str], *, env: Mapping[str, str] | None = None,
                expect: Callable[[int], bool] = lambda code: code == 0) -> Measured:
    """Run a command to its end; its wall time, CPU time and peak resident memory."""
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env={**os.environ, **(env or {})}, cwd=ROOT) as process:
        output = process.stdout.read() if process.stdout else ""
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if not expect(process.returncode):
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}:\n{output[-3000:]}")
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, output)


@contextmanager
def sandbox(kind: str, *options: str) -> Iterator[str]:
    """`cartsync sandbox <kind>` in a process of its own on a free port; yields its URL."""
    process = subprocess.Popen([*CARTSYNC, "sandbox", kind, "--port", "0", *options], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            found = _URL.search(line)
            if found:
                yield found.group()
                return
        raise RuntimeError(f"the sandbox {kind} did not start:\n{''.join(lines)}")
    finally:
        process.terminate()
        process.wait(timeout=30)


def ledger_count(state: Path, entity: str, status: str) -> int:
    """How many ledger rows of `entity` a state file holds in `status` (read directly, read-only)."""
    with sqlite3.connect(f"file:{state}?mode=ro", uri=True) as db:
        return db.execute("SELECT COUNT(*) FROM ledger WHERE entity = ? AND status = ?",
                          (entity, status)).fetchone()[0]


def store_requests(store_url: str) -> dict[str, int]:
    """Requests the sandbox store has answered so far, per route (login, orders, stock, …)."""
    return requests.get(f"{store_url}/_sandbox/faults", timeout=30).json()["requests"]


def interleaved(rounds: int, ways: dict[str, Callable[[int], Measured]]) -> dict[str, list[Measured]]:
    """Each round runs every way once (`way(round_number)`), in a rotated order, so load that comes
    and goes on a shared machine falls on all of them alike."""
    figures: dict[str, list[Measured]] = {name: [] for name in ways}
    names = list(ways)
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            figures[name].append(ways[name](number))
    return figures


def spread(values: Sequence[float]) -> tuple[float, float]:
    """(min, median)."""
    return min(values), statistics.median(values)
