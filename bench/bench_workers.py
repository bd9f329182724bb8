"""Runs per minute and orders per second: 2 Celery workers with PostgreSQL state against one
process running the same pipelines one after another with SQLite state (the embedded default).

Six clients, each with its own sandbox store and WMS on 127.0.0.1 and 40 new orders; each client's
order download, shipment confirmation and inventory sync run once. The baseline is sequential
because `cartsync serve` runs one client's pipelines one at a time as well; the workers run four
at once (2 workers × 2 processes). Needs PostgreSQL and Redis installed (skipped otherwise).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from throwaway.fleet import PIPELINES, fleet_clients, send_run, sender, wait_until, worker_env, workers
from throwaway.ports import Missing
from throwaway.postgres import postgres_server
from throwaway.redis import throwaway_redis

from cartsync.engine.runner import Runner
from cartsync.engine.state import StateStore
from cartsync.engine.state.pg_connection import client_schema, with_schema
from cartsync.engine.workspace import prepare

CLIENTS = 6
ORDERS = 40


def _orders_at_wms(clients: list) -> int:
    return sum(len(client.wms.orders) for client in clients)


def sequential_sqlite(root: Path) -> tuple[float, int]:
    with fleet_clients(root, CLIENTS) as clients:
        _add_orders(clients)
        started = time.perf_counter()
        for client in clients:
            os.environ.update(client.env)
            for pipeline in PIPELINES:
                store = StateStore.open(client.folder / ".cartsync" / "state.db")
                prepared = prepare(client.pipeline(pipeline), None, store)
                try:
                    Runner(prepared.pipeline, prepared.source, prepared.destination, store).run()
                finally:
                    prepared.close()
                    store.close()
        return time.perf_counter() - started, _orders_at_wms(clients)


def celery_postgres(root: Path, database: str, broker: str) -> tuple[float, int]:
    with fleet_clients(root, CLIENTS) as clients:
        _add_orders(clients)
        with workers(worker_env(database, broker, clients), root / "logs") as pool:
            pool.start("w1")
            pool.start("w2")
            app = sender(broker)
            app.control.ping(timeout=10)
            time.sleep(3)  # both workers up and consuming before the clock starts
            started = time.perf_counter()
            for client in clients:
                for pipeline in PIPELINES:
                    send_run(app, client, pipeline)
            done = wait_until(lambda: _finished_runs(database, clients) >= CLIENTS * 3, 600, every=0.1)
            elapsed = time.perf_counter() - started
            assert done, pool.log()[-2000:]
        return elapsed, _orders_at_wms(clients)


def _finished_runs(database: str, clients: list) -> int:
    total = 0
    for client in clients:
        store = StateStore.open(with_schema(database, client_schema(client.name)))
        try:
            total += sum(1 for run in store.runs(limit=10) if run["status"] != "running")
        finally:
            store.close()
    return total


def _add_orders(clients: list) -> None:
    for client in clients:
        for _ in range(ORDERS - 5):  # the seed has five to download
            client.store.add_order("Processing")


def main() -> None:
    try:
        with postgres_server() as postgres, throwaway_redis() as redis, tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            base_time, base_orders = sequential_sqlite(root / "sqlite")
            database = postgres.create_database()
            time_, orders = celery_postgres(root / "celery", database, redis.url(0))
    except Missing as missing:
        print(f"skipped: {missing}")
        return
    runs = CLIENTS * len(PIPELINES)
    for label, seconds, sent in (
        ("SQLite, sequential (serve-like)", base_time, base_orders),
        ("PostgreSQL + 2 Celery workers", time_, orders),
    ):
        rates = f"{runs / seconds * 60:7.0f} runs/min  {sent / seconds:6.1f} orders/s"
        print(f"{label:34} {rates}  ({seconds:.1f} s)")
    print(f"ratio (workers / sequential): {base_time / time_:.2f}x")
