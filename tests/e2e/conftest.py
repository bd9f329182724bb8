"""End-to-end fixtures: both sandboxes on free ports, the example client pointed at them.

Each test runs against the sandbox store of three OpenCart versions with SQLite state, and once
more with PostgreSQL state (against 4.1: the state store and the store version are independent).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flat_orders import SECRET_VARIABLE, FlatOrders

from cartsync.connectors.opencart.sandbox.store import SandboxStore
from cartsync.connectors.wms3pl.sandbox.server import SandboxWms, start_sandbox_wms
from cartsync.engine.report import RunReport
from cartsync.engine.run_file import RunOptions, run_pipeline_file
from cartsync.engine.state import StateStore


@dataclass
class World:
    store: SandboxStore
    wms: SandboxWms
    client: Path  # a copy of clients/example, with lookups that tests may edit
    state: str  # a SQLite file or a postgresql:// URL

    def run(self, pipeline: str, **options: object) -> RunReport:
        file = self.client / f"{pipeline}.yaml"
        return run_pipeline_file(file, self.client / "connections.yaml", self.state, RunOptions(**options))

    def ledger(self, key: str, entity: str = "order"):
        store = StateStore.open(self.state)
        try:
            return store.row(entity, key)
        finally:
            store.close()

    def wms_order(self, reference: str) -> dict:
        [order] = [o for o in self.wms.orders if o["referenceNum"] == reference]
        return order


WORLDS = [("2.3", "sqlite"), ("3.0", "sqlite"), ("4.1", "sqlite"), ("4.1", "postgresql")]


@pytest.fixture(params=WORLDS, ids=lambda world: world[0] if world[1] == "sqlite" else "-".join(world))
def world(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    example_sandboxes: Callable[[str, str], AbstractContextManager[tuple[SandboxStore, SandboxWms]]],
    example_client: Callable[[Path], Path],
) -> Iterator[World]:
    version, backend = request.param
    state = str(tmp_path / "state.db") if backend == "sqlite" else request.getfixturevalue("postgres_url")
    client = example_client(tmp_path / "client")
    with example_sandboxes(version, "e2e") as (store, wms):
        yield World(store, wms, client, state)


@pytest.fixture
def edit(world: World) -> Callable[[str, str, str], None]:
    """edit(file, old, new): change a file of the client folder."""

    def change(name: str, old: str, new: str) -> None:
        path = world.client / name
        text = path.read_text()
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new))

    return change


@pytest.fixture
def flat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state_backend: str) -> Iterator[FlatOrders]:
    """Orders in a flat file, sent by the order download pipeline to a sandbox WMS, with each state
    store (SQLite, then PostgreSQL)."""
    monkeypatch.setenv(SECRET_VARIABLE, "sandbox-secret")
    with start_sandbox_wms() as wms:
        orders = FlatOrders(tmp_path, wms, state_backend)
        orders.write_files(wms.url)
        yield orders
