"""Fixtures every test folder shares, and servers shared by the whole session, started once and
only when a test asks for them: a throwaway PostgreSQL cluster and a throwaway Redis. Without their
binaries the tests that need them are skipped, and the skip names what to install."""

from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throwaway.ports import Missing
from throwaway.postgres import PostgresServer, postgres_server
from throwaway.redis import RedisServer, redis_server

from cartsync.connectors.opencart.sandbox.store import SandboxStore, start_sandbox_store
from cartsync.connectors.wms3pl.sandbox.server import SandboxWms, start_sandbox_wms
from cartsync.engine.state import StateStore
from cartsync.engine.state.pg_connection import with_schema

ROOT = Path(__file__).resolve().parents[1]

CrashIntent = Callable[..., None]
Send = tuple[str, dict[str, Any], Any]  # key, source record, mapped payload


@pytest.fixture
def crash_intent() -> CrashIntent:
    """`crash_intent(state, entity=, pipeline=, sends=[(key, record, payload), …])`: the ledger as a
    run leaves it when it dies after recording its intent to send and before learning the outcome."""

    def leave(state: Path, *, entity: str, pipeline: str, sends: Iterable[Send], status: str = "new") -> None:
        store = StateStore.open(state)
        try:
            with store.transaction() as tx:
                for key, record, payload in sends:
                    recorded = tx.start_send(entity, key, pipeline=pipeline, run_id=None, status=status,
                                             record=record, payload=payload)
                    assert recorded, f"{entity} {key} is held or already in flight"
        finally:
            store.close()

    return leave


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    try:
        with postgres_server() as server:
            yield server
    except Missing as missing:
        pytest.skip(str(missing))


@pytest.fixture(scope="session")
def postgres_database(postgres: PostgresServer) -> Iterator[str]:
    """A database of this test session; each test works in a schema of its own."""
    url = postgres.create_database()
    yield url
    postgres.drop_database(url)


@pytest.fixture
def postgres_url(postgres_database: str) -> Iterator[str]:
    """A state location in a new empty schema (`…?schema=t_…`), dropped after the test."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_database, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    yield with_schema(postgres_database, schema)
    with psycopg.connect(postgres_database, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def state_backend(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh state location: a SQLite file, then a PostgreSQL schema. A test that takes it
    runs once on each state store."""
    if request.param == "sqlite":
        return str(tmp_path / "state.db")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(scope="session")
def redis() -> Iterator[RedisServer]:
    try:
        with redis_server() as server:
            yield server
    except Missing as missing:
        pytest.skip(str(missing))


ExampleSandboxes = Callable[[str, str], AbstractContextManager[tuple[SandboxStore, SandboxWms]]]


@pytest.fixture
def example_sandboxes(monkeypatch: pytest.MonkeyPatch) -> ExampleSandboxes:
    """`with example_sandboxes(store_version, tag) as (store, wms)`: both sandboxes on free ports,
    and the example client's variables (EXAMPLE_*) pointing at them, with credentials named after
    `tag` (`<tag>-store-key`, `<tag>-wms-secret`)."""

    @contextmanager
    def start(version: str, tag: str) -> Iterator[tuple[SandboxStore, SandboxWms]]:
        with (
            start_sandbox_store(version, api_key=f"{tag}-store-key") as store,
            start_sandbox_wms(
                seed=ROOT / "demo" / "wms_seed.json", client_secret=f"{tag}-wms-secret", user_login_id=17
            ) as wms,
        ):
            for name, value in {
                "EXAMPLE_STORE_URL": store.url,
                "EXAMPLE_OC_KEY": f"{tag}-store-key",
                "EXAMPLE_WMS_URL": wms.url,
                "EXAMPLE_WMS_ID": wms.client_id,
                "EXAMPLE_WMS_SECRET": f"{tag}-wms-secret",
            }.items():
                monkeypatch.setenv(name, value)
            yield store, wms

    return start


@pytest.fixture
def example_client() -> Callable[[Path], Path]:
    """`example_client(target)`: a copy of clients/example at `target`, its overlays still
    extending the shipped pipelines."""

    def copy(target: Path) -> Path:
        shutil.copytree(ROOT / "clients" / "example", target)
        for overlay in target.glob("*.yaml"):
            overlay.write_text(overlay.read_text().replace("../../mappings/", f"{ROOT}/mappings/"))
        return target

    return copy
