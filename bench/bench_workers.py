"""Runs per minute and orders per second: SQLite + `cartsync serve` against PostgreSQL + Celery
(`cartsync beat` and 2 workers × 2 processes), on the same workload.

A round: CLIENTS copies of the example client, each with its own sandbox store and WMS on
127.0.0.1. Serve is one process, SQLite state beside each client, a thread per run; the workers
run four at once, state in one PostgreSQL schema per client, the runs sent by beat from the same
schedule files through Redis.

- orders per second: order download due every second (the shortest interval, no idle
  skipping), the other pipelines hourly; after a WARM_UP (the seed's orders delivered, every
  process warm) ORDERS new orders are placed in every store at once, and timed until the last
  one is at its WMS;
- runs per minute: then every pipeline is made due every second (the schedule files change; both
  runtimes apply them within seconds): the runs that ended in a WINDOW of seconds, as the runs
  recorded them, when the runtime runs as many as it can.

Rounds alternate (serve first, then workers first) and repeat; the figures are medians, the
ratio is Celery over serve (above 1: Celery does more). The sandboxes run in this process for
both, so on a small machine they share its cores with the runtime under test.

`python -m bench.bench_workers [--clients N --orders N --rounds N]`. Needs PostgreSQL and Redis
installed (skipped otherwise). Its table is printed and written to docs/benchmarks-workers.md;
`measure(Size(...))` returns the figures for a larger table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from throwaway.fleet import Client, fleet_clients, sender, wait_until, worker_env, workers
from throwaway.ports import Missing
from throwaway.postgres import PostgresServer, postgres_server
from throwaway.redis import throwaway_redis

from cartsync.engine.state import StateStore
from cartsync.engine.state.pg_connection import client_schema, with_schema

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks-workers.md"
ORDERS_DUE = """\
version: 1
pipelines:
  - {file: order_download.yaml, every: 1 second, skip_when_idle: false}
  - {file: shipment_confirmation.yaml, every: 1 hour}
  - {file: inventory_sync.yaml, every: 1 hour}
"""
ALL_DUE = ORDERS_DUE.replace("every: 1 hour", "every: 1 second")
WARM_UP, SETTLE, WINDOW = 10.0, 8.0, 15.0  # seconds: before the orders, after the change, counted
WORKERS, CONCURRENCY = 2, 2

Runs = Callable[[], list[dict]]  # every run of every client, from their state stores


@dataclass(frozen=True)
class Size:
    clients: int = 8
    orders: int = 100  # per client, placed at once after the window
    rounds: int = 3  # of each side


@dataclass(frozen=True)
class Round:
    runs_per_minute: float
    orders_per_second: float


@dataclass(frozen=True)
class Figure:
    """One line of the table: Celery's figure over serve's (a ratio), with both figures."""

    workload: str
    value: float
    unit: str
    detail: str
    higher_is_better: bool = True


def timed_round(clients: list[Client], log: Path, event: str, runs: Runs, orders: int) -> Round:
    """Measure a runtime that logged `event` when its scheduler started."""
    started = _event_time(log, event)
    time.sleep(max(0.0, started + WARM_UP - time.time()))
    expected = _orders_at_wms(clients) + orders * len(clients)
    placed = time.time()
    for client in clients:
        for _ in range(orders):
            client.store.add_order("Processing")
    arrived = wait_until(lambda: _orders_at_wms(clients) >= expected, timeout=600, every=0.02)
    assert arrived, log.read_text(errors="replace")[-3000:]
    orders_per_second = orders * len(clients) / (time.time() - placed)
    for client in clients:
        client.schedule.write_text(ALL_DUE)
    window = time.time() + SETTLE
    time.sleep(SETTLE + WINDOW)
    ended = [_unix(run["ended_at"]) for run in runs() if run["ended_at"]]
    in_window = sum(1 for moment in ended if window <= moment < window + WINDOW)
    return Round(in_window / WINDOW * 60, orders_per_second)


@contextmanager
def serve_side(clients: list[Client], folder: Path) -> Iterator[tuple[Path, str, Runs]]:
    env = {**os.environ, **{k: v for client in clients for k, v in client.env.items()}}
    log = folder / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "cartsync.cli", "serve", "--port", "0", "--log-format", "json",
             *(str(client.folder) for client in clients)],
            env=env, stderr=output, stdout=subprocess.DEVNULL,
        )
        try:
            yield log, "serve_started", lambda: _runs(c.folder / ".cartsync" / "state.db" for c in clients)
        finally:
            process.terminate()
            process.wait(timeout=60)


@contextmanager
def celery_side(
    clients: list[Client], folder: Path, postgres: PostgresServer, broker: str
) -> Iterator[tuple[Path, str, Runs]]:
    database = postgres.create_database()
    try:
        with workers(worker_env(database, broker, clients), folder / "logs", log_format="json") as pool:
            for number in range(1, WORKERS + 1):
                pool.start(f"w{number}", CONCURRENCY)
            app = sender(broker)
            up = wait_until(lambda: len(app.control.ping(timeout=1)) == WORKERS, timeout=120)
            assert up, pool.log()[-3000:]
            pool.start_beat(clients)
            yield folder / "logs" / "beat.log", "beat_started", lambda: _runs(
                with_schema(database, client_schema(c.name)) for c in clients
            )
    finally:
        postgres.drop_database(database)


def measure(size: Size | None = None) -> list[Figure]:
    """Both sides, interleaved, `size.rounds` times each; raises Missing without PostgreSQL or Redis."""
    size = size or Size()
    serve: list[Round] = []
    celery: list[Round] = []
    with postgres_server() as postgres, throwaway_redis() as redis, tempfile.TemporaryDirectory() as tmp:
        for number in range(size.rounds):
            sides = ["serve", "celery"] if number % 2 == 0 else ["celery", "serve"]
            for side in sides:
                folder = Path(tmp) / f"{side}-{number}"
                with fleet_clients(folder / "clients", size.clients, schedule=ORDERS_DUE) as clients:
                    runtime = (
                        serve_side(clients, folder) if side == "serve"
                        else celery_side(clients, folder, postgres, redis.url(0))
                    )
                    with runtime as (log, event, runs):
                        measured = timed_round(clients, log, event, runs, size.orders)
                (serve if side == "serve" else celery).append(measured)
    return _figures(serve, celery, size)


def _figures(serve: list[Round], celery: list[Round], size: Size) -> list[Figure]:
    figures = []
    for name, unit, rate, what in (
        ("runs per minute", "runs/min", lambda r: r.runs_per_minute,
         f"every pipeline due every second, the runs ended in {WINDOW:.0f} s"),
        ("orders per second", "orders/s", lambda r: r.orders_per_second,
         f"{size.orders} orders placed in each store at once, until the last is at its WMS"),
    ):
        ours, theirs = statistics.median(map(rate, celery)), statistics.median(map(rate, serve))
        figures.append(Figure(
            f"Workers: {name}, PostgreSQL + Celery ({WORKERS} workers × {CONCURRENCY}) ÷ SQLite + serve "
            "(median)",
            ours / theirs,
            "×",
            f"{size.clients} clients × 3 pipelines, {what}, {size.rounds} rounds each: "
            f"Celery {_spread(celery, rate)} {unit}, serve {_spread(serve, rate)} {unit}",
        ))
    return figures


def table(figures: list[Figure]) -> str:
    lines = ["| workload | ratio | measured (min / median / max over the rounds) |", "|---|---|---|"]
    lines += [f"| {f.workload} | {f.value:.2f}{f.unit} | {f.detail} |" for f in figures]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_workers", description=__doc__)
    parser.add_argument("--clients", type=int, default=Size.clients)
    parser.add_argument("--orders", type=int, default=Size.orders, help="per client")
    parser.add_argument("--rounds", type=int, default=Size.rounds, help="of each side")
    options, _ = parser.parse_known_args(argv)
    try:
        figures = measure(Size(options.clients, options.orders, options.rounds))
    except Missing as missing:
        print(f"skipped: {missing}")
        return
    text = table(figures)
    print(text)
    DOC.write_text(
        "# Benchmarks: scaling out\n\n"
        "Written by `python -m bench.bench_workers` (part of `make bench`) on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {len(os.sched_getaffinity(0))} cores. "
        "See bench/bench_workers.py for the workload.\n\n"
        + text + "\n",
        encoding="utf-8",
    )
    print(f"written to {DOC.relative_to(ROOT)}")


def _orders_at_wms(clients: list[Client]) -> int:
    return sum(len(client.wms.orders) for client in clients)


def _event_time(log: Path, event: str, timeout: float = 120) -> float:
    """When the process logged `event` (a `--log-format json` line), as Unix time."""
    found: list[float] = []

    def logged() -> bool:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("{") and json.loads(line).get("event") == event:
                found.append(_unix(json.loads(line)["time"]))
                return True
        return False

    assert wait_until(logged, timeout=timeout, every=0.05), log.read_text(errors="replace")[-3000:]
    return found[0]


def _runs(locations: Iterable[Path | str]) -> list[dict]:
    found = []
    for location in locations:
        if isinstance(location, Path) and not location.exists():
            continue
        store = StateStore.open(location)
        try:
            found += store.runs(limit=100)
        finally:
            store.close()
    return found


def _unix(moment: str) -> float:
    return datetime.fromisoformat(moment).timestamp()


def _spread(rounds: list[Round], rate: Callable[[Round], float]) -> str:
    values = sorted(rate(r) for r in rounds)
    return f"{values[0]:.1f} / {statistics.median(values):.1f} / {values[-1]:.1f}"


if __name__ == "__main__":
    main()
