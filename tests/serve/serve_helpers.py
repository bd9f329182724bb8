"""Helpers for the serve tests: client folders, waiting, metrics, and the systems under test."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from cartsync.connectors.opencart.sandbox.store import SandboxStore
from cartsync.connectors.wms3pl.connector import Wms3plConnector
from cartsync.connectors.wms3pl.sandbox.server import SandboxWms
from cartsync.engine.serve.service import Serve
from cartsync.engine.state import StateStore

PUSH_SECRET = "serve-tests-push-secret"
FAST = {"reload_every": 0.1, "check_every": 0.1}
ORDERS_BATCH = Wms3plConnector.streams["orders"].batch_size  # orders written to the WMS at a time


def with_schedule(client: Path, schedule: str, env_prefix: str = "EXAMPLE") -> Path:
    """`client` (a copy of clients/example) with `schedule` as its schedule.yaml, its files reading
    the variables `<env_prefix>_…`."""
    for overlay in client.glob("*.yaml"):
        overlay.write_text(overlay.read_text().replace("${EXAMPLE_", "${" + env_prefix + "_"))
    (client / "schedule.yaml").write_text(schedule)
    return client


def wait_for(condition: Callable[[], object], timeout: float = 10.0, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class Systems:
    store: SandboxStore
    wms: SandboxWms
    tmp: Path
    copy_example: Callable[[Path], Path]
    started: list[Serve] = field(default_factory=list)

    def client(self, schedule: str, name: str = "acme", env_prefix: str = "EXAMPLE") -> Path:
        return with_schedule(self.copy_example(self.tmp / name), schedule, env_prefix)

    def serve(self, *folders: Path, **options: object) -> Serve:
        service = Serve(list(folders), port=0, **{**FAST, **options})
        service.start()
        self.started.append(service)
        return service

    def add_orders(self, count: int) -> None:
        """`count` more orders in Processing: with more than a batch or two, a run stopped once its
        first batch is at the WMS has more to send."""
        for _ in range(count):
            self.store.add_order("Processing")

    def at_wms(self, order_id: int) -> bool:
        return any(order["referenceNum"] == f"OC-{order_id}" for order in self.wms.orders)

    def runs(self, client: Path, pipeline: str) -> list[dict]:
        store = StateStore.open(client / ".cartsync" / "state.db")
        try:
            return store.runs(pipeline, limit=1000)
        finally:
            store.close()


def metric(serve_url: str, name: str, **labels: str) -> float:
    """The value of one sample in /metrics (0 when absent)."""
    text = requests.get(serve_url + "/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
