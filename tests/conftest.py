"""Fixtures every test folder shares, and servers shared by the whole session, started once and
only when a test asks for them: a throwaway PostgreSQL cluster and a throwaway Redis. Without their
binaries the tests that need them are skipped, and the skip names what to install."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throwaway.ports import Missing
from throwaway.postgres import PostgresServer, postgres_server
from throwaway.redis import RedisServer, redis_server

from cartsync.engine.state import StateStore

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


@pytest.fixture
def postgres_url(postgres: PostgresServer) -> Iterator[str]:
    """A new empty database on the session's server, dropped after the test."""
    url = postgres.create_database()
    yield url
    postgres.drop_database(url)


@pytest.fixture(scope="session")
def redis() -> Iterator[RedisServer]:
    try:
        with redis_server() as server:
            yield server
    except Missing as missing:
        pytest.skip(str(missing))
