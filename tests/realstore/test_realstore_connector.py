"""The OpenCart connector against real stores: read orders, statuses and products; write order
history and stock; then check the database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from realstore_db import Database
from realstore_seed import ORDER_COMPLETE, ORDER_MISSING, ORDER_SHIPPED, PRODUCT_SIZED, SIZED_SKU
from realstore_stores import RealStore

from cartsync.connectors.opencart.connector import OpenCartConnector
from cartsync.engine.http import RetryPolicy


@pytest.fixture(scope="module")
def connector(store: RealStore, seeded: Database) -> Iterator[OpenCartConnector]:
    settings = {"store_url": store.url, "api_username": store.username, "api_key": store.key,
                "version": store.version, "extension": store.variant}
    connector = OpenCartConnector("shop", settings, retry=RetryPolicy(attempts=2, base_delay=0.01))
    yield connector
    connector.close()


def records(connector: OpenCartConnector, stream: str) -> list[dict]:
    return [r for page in connector.read(stream, {}, None) for r in page.records]


def test_connector_reads_statuses_orders_products(connector: OpenCartConnector) -> None:
    assert "Processing" in {r["name"] for r in records(connector, "order_statuses")}
    ids = [r["order_id"] for r in records(connector, "orders")]
    assert ORDER_SHIPPED in ids and ORDER_COMPLETE in ids and ORDER_MISSING not in ids
    products = {r["product_id"]: r for r in records(connector, "products")}
    assert products[PRODUCT_SIZED]["sku"] == SIZED_SKU


def test_connector_writes_stock_and_history(connector: OpenCartConnector, seeded: Database) -> None:
    [stock] = connector.write("stock", [{"sku": SIZED_SKU, "quantity": 21}])
    assert stock.status == "ok", stock.message
    assert seeded.run(f"SELECT quantity FROM oc_product WHERE product_id = {PRODUCT_SIZED}") == [["21"]]
    [history] = connector.write("order_history", [{"order_id": ORDER_SHIPPED, "status": "Shipped",
                                                   "comment": "cartsync test", "notify": False}])
    assert history.status == "ok", history.message
    assert seeded.run(
        f"SELECT order_status_id, comment FROM oc_order_history WHERE order_id = {ORDER_SHIPPED}"
        " ORDER BY order_history_id DESC LIMIT 1"
    ) == [["3", "cartsync test"]]
    assert seeded.value(f"SELECT order_status_id FROM oc_order WHERE order_id = {ORDER_SHIPPED}") == "3"
