"""Fixtures for the OpenCart tests: sandbox stores of every version, and connectors to them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # test helpers (forwarding_proxy)

from cartsync.connectors.opencart.connector import OpenCartConnector
from cartsync.connectors.opencart.sandbox import SandboxStore, start_sandbox_store
from cartsync.engine.http import RetryPolicy

VERSIONS = ("2.1", "2.3", "3.0", "4.0", "4.1")
FAST_RETRY = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)


def connect(store: SandboxStore, **settings: Any) -> OpenCartConnector:
    """A connector to a sandbox store, with its credentials unless `settings` say otherwise."""
    values = {"store_url": store.url, "api_username": store.api_username, "api_key": store.api_key}
    values.update(settings)
    return OpenCartConnector("store", values, retry=FAST_RETRY)


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def store(version: str) -> Iterator[SandboxStore]:
    """A sandbox store of each version in turn."""
    with start_sandbox_store(version) as running:
        yield running


@pytest.fixture
def make_connector(tmp_path: Path) -> Iterator[Callable[..., OpenCartConnector]]:
    """`make_connector(store, **settings)`: a connector to a store; closed after the test. Its status
    ids are saved in the test's own folder unless `status_cache` says otherwise."""
    opened: list[OpenCartConnector] = []

    def make(store: SandboxStore, **settings: Any) -> OpenCartConnector:
        opened.append(connect(store, **{"status_cache": str(tmp_path / "statuses.json"), **settings}))
        return opened[-1]

    yield make
    for each in opened:
        each.close()


@pytest.fixture
def connector(store: SandboxStore, make_connector: Callable[..., OpenCartConnector]) -> OpenCartConnector:
    return make_connector(store)
