"""Fixtures for the extension contract tests. Every test taking `real_store` runs once per store:

- each real store listed in CARTSYNC_REAL_STORES (skipped with the reason when none is listed);
- `php-VERSION-VARIANT`: the extension's real PHP, every variant, behind a front controller that
  plays OpenCart (tests/php/), on a database of OpenCart's tables (skipped with the reason when
  php-cli, php-mysql or MariaDB is missing; an error instead when CARTSYNC_REQUIRE_PHP is set,
  as .ci/run does);
- `sandbox-VERSION-VARIANT`: the Python sandbox store.

So the same tests show that real stores, the PHP extension and the sandbox agree. Tests that need
the store's database (the `db` and `seeded` fixtures) run where there is one: real stores with a
MYSQL_DSN, and the PHP stores."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realstore_admin import DatabaseAdmin, SandboxAdmin, StoreAdmin
from realstore_client import ContractClient
from realstore_db import Database
from realstore_php import PhpHarness, missing
from realstore_seed import cleanup, seed
from realstore_stores import ENV, RealStore, configured_stores

from cartsync.connectors.opencart.sandbox import SandboxStore, start_sandbox_store

NO_STORE = (
    f"{ENV} is not set: no real OpenCart store to test the extension against "
    "(format in tests/realstore/realstore_stores.py and docs/extension-install.md)"
)
# (version, extension variant): every way the extension installs
VARIANTS = (
    ("2.1", "api"),
    ("2.3", "api"),
    ("3.0", "extension3"),
    ("3.0", "api"),
    ("4.0", "extension4"),
    ("4.1", "signed"),
)
SANDBOX_KEY = "contract-test-key"
SANDBOXES: dict[str, SandboxStore] = {}  # running sandbox stores by URL, for `admin`


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "real_store" in metafunc.fixturenames:
        stores = configured_stores()
        params = [pytest.param(s, id=s.label) for s in stores] or [pytest.param(None, id="no-store")]
        params += [
            pytest.param((kind, version, variant), id=f"{kind}-{version}-{variant}")
            for kind in ("php", "sandbox")
            for version, variant in VARIANTS
        ]
        metafunc.parametrize("real_store", params, scope="module")


@pytest.fixture(scope="session")
def php_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PhpHarness]:
    problem = missing()
    if problem is not None:
        if os.environ.get("CARTSYNC_REQUIRE_PHP"):
            pytest.fail(problem)
        pytest.skip(problem)
    harness = PhpHarness(tmp_path_factory.mktemp("php-stores"))
    yield harness
    harness.stop()


@pytest.fixture(scope="module")
def store(
    real_store: RealStore | tuple[str, str, str] | None, request: pytest.FixtureRequest
) -> RealStore:
    if real_store is None:
        pytest.skip(NO_STORE)
    if not isinstance(real_store, tuple):
        return real_store
    kind, version, variant = real_store
    if kind == "php":
        harness: PhpHarness = request.getfixturevalue("php_harness")
        return harness.store(version, variant)
    sandbox = start_sandbox_store(version, variant=variant, api_key=SANDBOX_KEY)
    request.addfinalizer(sandbox.stop)
    SANDBOXES[sandbox.url] = sandbox
    return RealStore(
        sandbox.version, sandbox.url, sandbox.api_username, sandbox.api_key, sandbox.variant, None
    )


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
    seed(db, store.version, store.storefront)
    yield db
    cleanup(db)


@pytest.fixture(scope="module")
def admin(store: RealStore) -> StoreAdmin:
    """The store owner's changes: through the database of a real store, the operator methods of a
    sandbox store."""
    if store.url in SANDBOXES:
        return SandboxAdmin(SANDBOXES[store.url])
    if store.dsn is None:
        pytest.skip(f"{store.label}: no MYSQL_DSN in {ENV}, so the store's settings cannot be changed")
    return DatabaseAdmin(Database(store.dsn), store)
