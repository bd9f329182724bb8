"""Fixtures every test folder shares, and servers shared by the whole session, started once and
only when a test asks for them: a throwaway PostgreSQL cluster and a throwaway Redis. Without their
binaries the tests that need them are skipped, and the skip names what to install."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throwaway.ports import Missing
from throwaway.postgres import PostgresServer, postgres_server
from throwaway.redis import RedisServer, redis_server

from cartsync.engine.state import StateStore
from cartsync.engine.state.pg_connection import with_schema

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
