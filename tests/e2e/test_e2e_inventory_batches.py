"""Inventory sync at scale, through both sandboxes: changed quantities go out in as few store calls as
the stock stream's batch (500 items) allows, wherever the changed SKUs sit in the WMS's pages."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from cartsync.connectors.opencart.sandbox.store import start_sandbox_store
from cartsync.connectors.opencart.stock import MAX_ITEMS
from cartsync.connectors.wms3pl.sandbox.server import start_sandbox_wms
from cartsync.engine.runner import Runner
from cartsync.engine.state import StateStore
from cartsync.engine.workspace import prepare

ROOT = Path(__file__).resolve().parents[2]
SKUS = 1200  # three WMS pages of 500 rows
SECRETS = {"INVENTORY_OC_KEY": "sandbox-key", "INVENTORY_WMS_SECRET": "sandbox-secret"}


@pytest.fixture
def systems(tmp_path, monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    with start_sandbox_store("3.0", products=SKUS) as store, start_sandbox_wms(skus=SKUS) as wms:
        (tmp_path / "connections.yaml").write_text(
            f"store: {{connector: opencart, store_url: '{store.url}', api_username: cartsync, "
            "api_key: '${INVENTORY_OC_KEY}'}\n"
            f"warehouse: {{connector: wms3pl, base_url: '{wms.url}', client_id: sandbox-client, "
            "client_secret: '${INVENTORY_WMS_SECRET}', user_login_id: 1, customer_id: 1077, facility_id: 1}\n"
        )
        yield store, wms, tmp_path


def sync(folder: Path):
    store = StateStore.open(folder / "state.db")
    prepared = prepare(ROOT / "mappings" / "inventory_sync.yaml", folder / "connections.yaml", store)
    try:
        return Runner(prepared.pipeline, prepared.source, prepared.destination, store).run()
    finally:
        prepared.close()
        store.close()


def test_changed_quantities_from_every_page_of_the_wms_go_out_in_one_store_call(systems):
    store, wms, folder = systems
    first = sync(folder)
    sent = first.counts["sent"]
    assert sent >= SKUS
    assert store.faults.seen["stock"] == math.ceil((sent + first.counts.get("not_found", 0)) / MAX_ITEMS)
    changed = [1, 450, 700, 1000, 1199]  # SKUs on each of the WMS's three pages
    for number in changed:
        wms.adjust_stock(f"SKU-{number:05d}", -3, facility_id=1)
    calls = store.faults.seen["stock"]

    second = sync(folder)
    assert second.counts["sent"] == len(changed)
    assert store.faults.seen["stock"] == calls + 1, "one call for the five, not one per page they came on"
    for number in changed:
        assert store.product_quantity(f"SKU-{number:05d}") == 1_000_000 - 3
