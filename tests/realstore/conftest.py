"""Fixtures for the real-store contract tests. Every test taking `real_store` runs once per store
listed in CARTSYNC_REAL_STORES, and is skipped with the reason when none is listed."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realstore_client import ContractClient
from realstore_db import Database
from realstore_seed import cleanup, seed
from realstore_stores import ENV, RealStore, configured_stores

NO_STORE = (
    f"{ENV} is not set: no real OpenCart store to test the extension against "
    "(format in tests/realstore/realstore_stores.py and docs/extension-install.md)"
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "real_store" in metafunc.fixturenames:
        stores = configured_stores()
        params = [pytest.param(s, id=s.label) for s in stores] or [pytest.param(None, id="no-store")]
        metafunc.parametrize("real_store", params, scope="module")


@pytest.fixture(scope="module")
def store(real_store: RealStore | None) -> RealStore:
    if real_store is None:
        pytest.skip(NO_STORE)
    return real_store


@pytest.fixture(scope="module")
def client(store: RealStore) -> ContractClient:
    return ContractClient(store)


@pytest.fixture(scope="module")
def db(store: RealStore) -> Database:
    if store.dsn is None:
        pytest.skip(f"{store.label}: no MYSQL_DSN in {ENV}, so no seeded rows and no database checks")
    return Database(store.dsn)


@pytest.fixture(scope="module")
def seeded(db: Database, store: RealStore) -> Iterator[Database]:
    seed(db, store.version)
    yield db
    cleanup(db)
