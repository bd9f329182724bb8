"""Fixtures for the extension contract tests. Every test taking `real_store` runs once per real store
listed in CARTSYNC_REAL_STORES (skipped with the reason when none is listed) and once per sandbox
store of each OpenCart version (plus the 3.0 `api` variant), so the same tests show that the PHP
extension on real stores and the sandbox store agree. Tests that need the store's database (the
`db` and `seeded` fixtures) run against real stores only."""

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

from cartsync.connectors.opencart.sandbox import start_sandbox_store

NO_STORE = (
    f"{ENV} is not set: no real OpenCart store to test the extension against "
    "(format in tests/realstore/realstore_stores.py and docs/extension-install.md)"
)
# (version, extension variant or None for the version's default) of each sandbox store under test
SANDBOX_STORES = (("2.1", None), ("2.3", None), ("3.0", None), ("3.0", "api"), ("4.0", None), ("4.1", None))
SANDBOX_KEY = "contract-test-key"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "real_store" in metafunc.fixturenames:
        stores = configured_stores()
        params = [pytest.param(s, id=s.label) for s in stores] or [pytest.param(None, id="no-store")]
        params += [
            pytest.param(("sandbox", version, variant), id=f"sandbox-{version}-{variant or 'default'}")
            for version, variant in SANDBOX_STORES
        ]
        metafunc.parametrize("real_store", params, scope="module")


@pytest.fixture(scope="module")
def store(
    real_store: RealStore | tuple[str, str, str | None] | None, request: pytest.FixtureRequest
) -> RealStore:
    if real_store is None:
        pytest.skip(NO_STORE)
    if isinstance(real_store, tuple):
        _, version, variant = real_store
        sandbox = start_sandbox_store(version, variant=variant, api_key=SANDBOX_KEY)
        request.addfinalizer(sandbox.stop)
        return RealStore(
            sandbox.version, sandbox.url, sandbox.api_username, sandbox.api_key, sandbox.variant, None
        )
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
