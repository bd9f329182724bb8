"""Fixtures for the wms3pl tests: a sandbox WMS over real HTTP and connectors pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cartsync.connectors.wms3pl.connector import Wms3plConnector
from cartsync.connectors.wms3pl.sandbox import SandboxWms, start_sandbox_wms
from cartsync.engine.http import RetryPolicy

MakeConnector = Callable[..., Wms3plConnector]


@pytest.fixture
def wms() -> Iterator[SandboxWms]:
    """A sandbox WMS with the packaged seed (customer 1077, facilities 1 and 2)."""
    with start_sandbox_wms() as sandbox:
        yield sandbox


def wms_settings(sandbox: SandboxWms, **overrides: Any) -> dict[str, Any]:
    return {"base_url": sandbox.url, "client_id": "sandbox-client", "client_secret": "sandbox-secret",
            "user_login_id": 1, "customer_id": 1077, "facility_id": 1, **overrides}


@pytest.fixture
def make_wms_connector() -> Iterator[MakeConnector]:
    """`make_wms_connector(sandbox, **settings)`: a connector with tiny retry delays whose waits are
    recorded in `connector.http.waits` instead of slept."""
    made: list[Wms3plConnector] = []

    def make(sandbox: SandboxWms, *, attempts: int = 3, **overrides: Any) -> Wms3plConnector:
        connector = Wms3plConnector("warehouse", wms_settings(sandbox, **overrides),
                                    retry=RetryPolicy(attempts=attempts, base_delay=0.01),
                                    sleep=lambda seconds: None)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()


@pytest.fixture
def connector(wms: SandboxWms, make_wms_connector: MakeConnector) -> Wms3plConnector:
    return make_wms_connector(wms)
