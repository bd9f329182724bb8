"""Fixtures for `cartsync serve`: both sandboxes on free ports, and the serve instances a test starts."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve_helpers import PUSH_SECRET, ROOT, Systems

from cartsync.connectors.opencart.sandbox.store import start_sandbox_store
from cartsync.connectors.wms3pl.sandbox.server import start_sandbox_wms


@pytest.fixture
def systems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Systems]:
    with (
        start_sandbox_store("3.0", api_key="serve-store-key") as store,
        start_sandbox_wms(
            seed=ROOT / "demo" / "wms_seed.json", client_secret="serve-wms-secret", user_login_id=17
        ) as wms,
    ):
        for name, value in {
            "EXAMPLE_STORE_URL": store.url,
            "EXAMPLE_OC_KEY": "serve-store-key",
            "EXAMPLE_WMS_URL": wms.url,
            "EXAMPLE_WMS_ID": wms.client_id,
            "EXAMPLE_WMS_SECRET": "serve-wms-secret",
            "EXAMPLE_PUSH_SECRET": PUSH_SECRET,
        }.items():
            monkeypatch.setenv(name, value)
        found = Systems(store, wms, tmp_path)
        try:
            yield found
        finally:
            for service in found.started:
                service.stop(grace=5)
