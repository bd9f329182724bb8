"""Console pages over 100,000 ledger rows, against the same pages over 1,000 rows, in one run.

A state store is filled as runs fill it (orders with their source record, payload and two events
each; stock rows; runs; serve's alerts and pipeline health), then every page is fetched over real
HTTP from the console (uvicorn on 127.0.0.1, keep-alive, signed in). Each figure is the median of
several requests, so it includes the HTTP round trip (the floor: a static file). The ratio 100k/1k
shows that paging and indexes keep a page's cost flat as the ledger grows; "no idx" drops
migration 4's indexes to show what they buy. The last column is the same 100,000 rows in
PostgreSQL (a throwaway server, or CARTSYNC_TEST_POSTGRES; vacuumed and analysed after the bulk
load, as autovacuum does). The issue's budget is 300 ms per page at 100,000 rows.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from throwaway.ports import Missing
from throwaway.postgres import postgres_server

from cartsync.console.app import create_app
from cartsync.console.users import OPERATOR, User, UserFile, hash_password
from cartsync.engine.serve.http import HttpServer
from cartsync.engine.state import StateStore
from cartsync.engine.state.location import is_postgres

ROWS = 100_000
SMALL = 1_000
REPEAT = 7
SECRET = "bench-console-secret-0123456789abcdefgh"
PASSWORD = "bench-password"
STATUSES = (
    ["confirmed"] * 70 + ["shipped"] * 12 + ["at_wms"] * 10 + ["error"] * 3 + ["new"] * 2 + ["skipped"] * 3
)
MIGRATION_4_INDEXES = (
    "ledger_browse",
    "ledger_browse_status",
    "ledger_pipeline",
    "ledger_held",
    "ledger_held_pipeline",
    "ledger_unknown",
    "ledger_events_run",
    "runs_pipeline",
)
PIPELINES = ("order_download", "shipment_confirmation", "inventory_sync")
PAGES = {
    "static file (floor)": "/static/console.css",
    "overview": "/",
    "orders": "/orders",
    "orders, last page": "/orders?page={last_page}",
    "orders, status=error": "/orders?status=error",
    "orders, on hold": "/orders?status=held",
    "orders, a pipeline's held": "/orders?status=attention&pipeline=order_download",
    "orders, text search": "/orders?q=courier",
    "orders, one day": "/orders?from={day}&to={day}",
    "order detail": "/orders/{key}",
    "runs": "/runs",
    "run detail": "/runs/{run}",
    "stock": "/stock",
    "stock, not found": "/stock?not_found=1",
    "stock, search": "/stock?q=sku-01",
    "alerts": "/alerts",
    "alerts, failed": "/alerts?status=failed",
}


def fill(location: str, rows: int) -> None:
    """`rows` orders (and a tenth as many SKUs and runs, a hundredth as many alerts) over 60 days."""
    store = StateStore.open(location)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    stamp = lambda n: (start + timedelta(seconds=n * 5_184_000 // rows)).isoformat(timespec="seconds")  # noqa: E731
    ledger, payloads, events = [], [], []
    for n in range(rows):
        key, status, at = str(100_000 + n), STATUSES[n % len(STATUSES)], stamp(n)
        record = {
            "order_id": 100_000 + n, "firstname": "Ada", "lastname": f"Lovelace {n}",
            "email": f"ada{n}@example.com", "shipping_address_1": f"{n} Analytical Row",
            "shipping_city": "London", "shipping_code": "ups.GND",
            "products": [{"sku": f"SKU-{n % 977:05}", "quantity": 1 + n % 3, "price": "19.9900"}] * 3,
            "comment": "Leave with the courier" if n % 50 == 0 else "",
        }  # fmt: skip
        payload = {
            "referenceNum": f"OC-{key}",
            "shipTo": {"name": f"Ada Lovelace {n}"},
            "orderItems": record["products"],
        }
        error = "routingInfo: Unmapped Ship Method: ups.2DA" if status == "error" else None
        ledger.append(
            ("order", key, status, "order_download", json.dumps(record).encode(),
             f"WMS-{n}" if status not in ("error", "skipped") else None, 1, int(n % 997 == 0), error, at, at)
        )  # fmt: skip
        payloads.append(("order", key, json.dumps(payload).encode()))
        run = 1 + n // 100
        events += [
            ("order", key, run, "order_download", "rejected" if error else "ok", status,
             error or f"WMS-{n}", at),
            ("order", key, run, "shipment_confirmation", "shipped", status, "tracking 1Z999", at),
        ]  # fmt: skip
    tables: list[tuple[str, Sequence[str], Iterable[Sequence[Any]]]] = [
        ("ledger", ("entity", "key", "status", "pipeline", "record", "dest_id", "attempts", "held",
                    "last_error", "created_at", "updated_at"), ledger),
        ("payloads", ("entity", "key", "payload"), payloads),
        ("ledger_events", ("entity", "key", "run_id", "pipeline", "event", "status", "message", "at"),
         events),
        ("ledger", ("entity", "key", "status", "pipeline", "created_at", "updated_at"), [
            ("stock", f"SKU-{n:05}", "not_found" if n % 40 == 0 else "done", "inventory_sync",
             stamp(n * 10), stamp(n * 10))
            for n in range(rows // 10)
        ]),
        ("payloads", ("entity", "key", "payload"), [
            ("stock", f"SKU-{n:05}", json.dumps({"sku": f"SKU-{n:05}", "quantity": n % 90}).encode())
            for n in range(rows // 10)
        ]),
        ("runs", ("pipeline", "started_at", "ended_at", "status", "counts", "message"), [
            (PIPELINES[n % 3], stamp(n * 100), stamp(n * 100 + 1), "ok" if n % 7 else "failed",
             json.dumps({"sent": 97, "rejected": 3}), None)
            for n in range(rows // 10)
        ]),
        ("alerts", ("client", "pipeline", "event", "event_key", "channel", "recipient", "subject", "body",
                    "status", "attempts", "error", "created_at", "sent_at"), [
            ("bench", "order_download", "held_records", f"held_records:order_download:run-{n}", "email",
             "ops@example.com", f"{n % 5 + 1} order(s) held", "1043: Unmapped Ship Method",
             "failed" if n % 25 == 0 else "sent", 1, "SMTP 451" if n % 25 == 0 else None,
             stamp(n * 100), None if n % 25 == 0 else stamp(n * 100))
            for n in range(rows // 100)
        ]),
        ("pipeline_health", ("client", "pipeline", "first_seen_at", "last_run_at", "last_status",
                             "last_success_at", "consecutive_failures"), [
            ("bench", name, stamp(0), stamp(rows - 1), "ok", stamp(rows - 1), 0) for name in PIPELINES
        ]),
    ]  # fmt: skip
    for table, columns, values in tables:
        insert(store, table, columns, values)
    if is_postgres(location):
        store.db.execute("VACUUM ANALYZE")
    store.close()


def insert(store: StateStore, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Bulk insert: executemany in one transaction on SQLite, COPY on PostgreSQL."""
    names = ", ".join(columns)
    if is_postgres(store.location):
        connection = store.db.connection  # type: ignore[attr-defined]
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    with store.transaction() as tx:
        tx.db.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)


def measure(state: str, users: UserFile, rows: int) -> dict[str, float]:
    """Median milliseconds per page."""
    values = {
        "last_page": rows // 50,
        "day": "2024-01-30",
        "key": str(100_000 + rows // 2),
        "run": rows // 200,
    }
    with HttpServer(create_app(state, users, secret=SECRET, client="bench"), "127.0.0.1", 0) as console:
        session = requests.Session()
        login = session.get(console.url + "/login").text
        token = login.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        session.post(
            console.url + "/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token}
        )
        figures = {}
        for name, path in PAGES.items():
            url = console.url + path.format(**values)
            session.get(url).raise_for_status()  # warm: first use of the page's template and statements
            times = []
            for _ in range(REPEAT):
                started = time.perf_counter()
                reply = session.get(url)
                times.append(time.perf_counter() - started)
                assert reply.status_code == 200 and "Sign in" not in reply.text, (name, reply.status_code)
            figures[name] = statistics.median(times) * 1000
    return figures


def without_indexes(state: str) -> None:
    """Migration 4's indexes dropped, and migration 1's (entity, status) index back."""
    store = StateStore.open(state)
    for index in MIGRATION_4_INDEXES:
        store.db.execute(f"DROP INDEX {index}")
    store.db.execute("CREATE INDEX ledger_status ON ledger (entity, status)")
    store.close()


def on_postgresql(users: UserFile) -> dict[str, float] | str:
    """The pages at ROWS rows in PostgreSQL, or why they were not measured."""
    try:
        with postgres_server() as postgres:
            database = postgres.create_database()
            try:
                fill(database, ROWS)
                return measure(database, users, ROWS)
            finally:
                postgres.drop_database(database)
    except Missing as missing:
        return f"PostgreSQL skipped: {missing}"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        users = UserFile(Path(folder) / "users.yaml")
        users.save(User("bench", OPERATOR, hash_password(PASSWORD)))
        small, large = str(Path(folder) / "small.db"), str(Path(folder) / "large.db")
        fill(small, SMALL)
        started = time.perf_counter()
        fill(large, ROWS)
        elapsed = time.perf_counter() - started
        print(f"filled {ROWS:,} orders, {ROWS * 2:,} events, {ROWS // 10:,} SKUs in {elapsed:.1f} s")
        at_small = measure(small, users, SMALL)
        at_large = measure(large, users, ROWS)
        without_indexes(large)
        without = measure(large, users, ROWS)
        postgres = on_postgresql(users)
    header = f"{'page':<27} {'1k ms':>7} {'100k ms':>8} {'x 1k':>6} {'no idx ms':>10} {'PG 100k ms':>11}"
    print(header)
    for name in PAGES:
        small_ms, large_ms = at_small[name], at_large[name]
        pg = f"{postgres[name]:>11.1f}" if isinstance(postgres, dict) else f"{'—':>11}"
        ratio = large_ms / small_ms
        print(f"{name:<27} {small_ms:>7.1f} {large_ms:>8.1f} {ratio:>6.2f} {without[name]:>10.1f} {pg}")
    if isinstance(postgres, str):
        print(postgres)
    for store, figures in (("SQLite", at_large), ("PostgreSQL", postgres)):
        if isinstance(figures, dict):
            worst = max((ms, name) for name, ms in figures.items())
            print(f"slowest page at {ROWS:,} rows, {store}: {worst[1]} {worst[0]:.1f} ms (budget 300 ms)")
    print(f"load average (other processes share the CPU): {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
