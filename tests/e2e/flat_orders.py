"""A flat file of store orders sent to the sandbox WMS, run in this process or as `cartsync`
subprocesses that a test may kill."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from cartsync.cli import app
from cartsync.connectors.wms3pl.sandbox.server import SandboxWms
from cartsync.engine.report import RunReport
from cartsync.engine.runner import Runner, RunOptions
from cartsync.engine.state import LedgerRow, StateStore
from cartsync.engine.state.location import is_postgres
from cartsync.engine.workspace import prepare

PIPELINE = """\
version: 1
name: order_download
description: Orders from a flat file become WMS orders.
source: {connection: inbox, stream: orders}
destination: {connection: warehouse, stream: orders}
key: to_string(id)
ledger: {entity: order, pending: new, sets: at_wms, done: [at_wms], retry_for: 365 days, retry_every: 1 hour}
map:
  referenceNum: "concat('OC-', id)"
  shipTo: {name: name, address1: "'12 Market St'", city: "'San Francisco'", country: "'US'"}
  orderItems: "[{itemIdentifier: {sku: sku || 'TENT-002'}, qty: qty}]"
"""
SECRET_VARIABLE = "FLAT_ORDERS_WMS_SECRET"
LEASE_SECONDS = "1"  # subprocess runs: a killed run blocks the pipeline for at most this long


@dataclass
class FlatOrders:
    folder: Path
    wms: SandboxWms
    state: str  # a SQLite file or a postgresql:// URL

    @property
    def pipeline(self) -> Path:
        return self.folder / "order_download.yaml"

    def stored_text(self) -> str:
        """Everything the state store keeps, as text: the SQLite file and its WAL, or every row of
        every table of the PostgreSQL schema."""
        if not is_postgres(self.state):
            return "".join(path.read_bytes().decode("latin-1") for path in self.folder.glob("state.db*"))
        store = StateStore.open(self.state)
        try:
            tables = store.db.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            ).fetchall()
            rows = (store.db.execute(f'SELECT * FROM "{table["table_name"]}"').fetchall() for table in tables)
            return "".join(map(repr, rows))
        finally:
            store.close()

    def write_files(self, wms_url: str) -> None:
        (self.folder / "in").mkdir()
        self.pipeline.write_text(PIPELINE)
        (self.folder / "connections.yaml").write_text(
            f"inbox: {{connector: files, folder: {self.folder / 'in'}}}\n"
            f"warehouse: {{connector: wms3pl, base_url: '{wms_url}', client_id: sandbox-client, "
            f"client_secret: '${{{SECRET_VARIABLE}}}', user_login_id: 1, customer_id: 1077, "
            "facility_id: 1}\n"
        )

    def add_orders(self, count: int) -> list[str]:
        """Append `count` orders to the source file; returns their referenceNums."""
        path = self.folder / "in" / "orders.jsonl"
        start = len(path.read_text().splitlines()) if path.exists() else 0
        ids = range(start + 1, start + count + 1)
        with path.open("a") as handle:
            for n in ids:
                handle.write(json.dumps(self.record(n)) + "\n")
        return [f"OC-{n}" for n in ids]

    @staticmethod
    def record(n: int) -> dict[str, Any]:
        return {"id": n, "name": f"Customer {n}", "qty": 1}

    @staticmethod
    def payload(n: int) -> dict[str, Any]:
        """The WMS order the pipeline maps order `n` to."""
        return {"referenceNum": f"OC-{n}",
                "shipTo": {"name": f"Customer {n}", "address1": "12 Market St", "city": "San Francisco",
                           "country": "US"},
                "orderItems": [{"itemIdentifier": {"sku": "TENT-002"}, "qty": 1}]}

    @staticmethod
    def wms_body(n: int) -> dict[str, Any]:
        """Order `n` as POST /orders stores it (to put it in the WMS directly)."""
        return {"customerIdentifier": {"id": 1077}, "facilityIdentifier": {"id": 1}, **FlatOrders.payload(n)}

    def crash_after_intents(self, crash_intent: Callable[..., None], orders: Iterable[int]) -> None:
        """The ledger a run leaves when it dies after recording its intent to send these orders."""
        crash_intent(self.state, entity="order", pipeline="order_download",
                     sends=[(str(n), self.record(n), self.payload(n)) for n in orders])

    def run(self, **options: Any) -> RunReport:
        store = StateStore.open(self.state)
        prepared = prepare(self.pipeline, None, store)
        try:
            return Runner(prepared.pipeline, prepared.source, prepared.destination, store,
                          RunOptions(**options)).run()
        finally:
            prepared.close()
            store.close()

    def cli(self, *args: str) -> Result:
        """`cartsync ARGS` with this state store, in this process, as a user types it."""
        state = ["--state", self.state]
        arguments = [args[0], *state, *args[1:]] if args[0] == "orders" else [*args, *state]
        return CliRunner().invoke(app, arguments)

    def ledger(self, key: str) -> LedgerRow:
        store = StateStore.open(self.state)
        try:
            row = store.row("order", key)
            assert row is not None, f"no ledger row for order {key}"
            return row
        finally:
            store.close()

    def rows(self) -> list[LedgerRow]:
        store = StateStore.open(self.state)
        try:
            return store.rows("order")
        finally:
            store.close()

    # -- cartsync as a process ------------------------------------------------------------

    def start_process(self) -> subprocess.Popen[str]:
        """`cartsync run pipeline` as its own process (a real one, that a test can kill -9)."""
        environment = {**os.environ, SECRET_VARIABLE: "sandbox-secret",
                       "CARTSYNC_LEASE_SECONDS": LEASE_SECONDS, "COLUMNS": "200"}
        return subprocess.Popen(
            [sys.executable, "-m", "cartsync.cli", "run", "pipeline", str(self.pipeline), "--state",
             self.state], env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def wait_for_lease_expiry(self) -> None:
        """Until the lease of a run that was killed has expired."""
        store = StateStore.open(self.state)
        try:
            lease = store.lease("order_download")
        finally:
            store.close()
        if lease is not None:
            time.sleep(max(0.0, lease.expires_at - time.time()) + 0.05)

    def run_process(self, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """A run as a process, once the lease of a killed one has expired (repeated on exit 4)."""
        self.wait_for_lease_expiry()
        deadline = time.monotonic() + timeout
        while True:
            process = self.start_process()
            output, _ = process.communicate(timeout=timeout)
            if process.returncode != 4 or time.monotonic() > deadline:
                return subprocess.CompletedProcess(process.args, process.returncode, output)
            time.sleep(0.2)


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def kill(process: subprocess.Popen[str]) -> None:
    """kill -9, the way an OOM killer or a power cut ends a run."""
    process.kill()
    process.communicate(timeout=10)
