"""After an inventory sync the storefront sells what the warehouse has: a shopper orders 5 of an
option value the WMS has 100 of (the product's own quantity follows its option values)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from realstore_db import Database
from realstore_seed import HOODIE_OPTION_ID, HOODIE_SKU, HOODIE_VALUE_IDS, PRODUCT_HOODIE
from realstore_storefront import NOT_IN_STOCK, Shopper
from realstore_stores import RealStore

from cartsync.connectors.opencart.connector import OpenCartConnector


@pytest.fixture(scope="module")
def connector(store: RealStore, seeded: Database) -> Iterator[OpenCartConnector]:
    settings = {
        "store_url": store.url,
        "api_username": store.username,
        "api_key": store.key,
        "version": store.version,
        "extension": store.variant,
    }
    connector = OpenCartConnector("shop", settings)
    yield connector
    connector.close()


def test_a_shopper_can_order_5_medium_after_the_wms_reports_100(
    connector: OpenCartConnector, seeded: Database, store: RealStore
) -> None:
    if not store.storefront:
        pytest.skip(f"{store.label}: a test store without a storefront")
    shopper = Shopper(store)
    medium = {HOODIE_OPTION_ID: HOODIE_VALUE_IDS["Medium"]}
    wms = {"Small": 0, "Medium": 100, "Large": 6}
    outcomes = connector.write(
        "stock",
        [{"sku": HOODIE_SKU, "option": "Size", "value": size, "quantity": n} for size, n in wms.items()],
    )
    assert [o.status for o in outcomes] == ["ok"] * 3, [o.message for o in outcomes]
    assert seeded.value(f"SELECT quantity FROM oc_product WHERE product_id = {PRODUCT_HOODIE}") == "106"

    added = shopper.add_to_cart(PRODUCT_HOODIE, 5, medium)
    assert "success" in added, added
    page = shopper.cart_page()
    assert "cartsync hoodie" in page
    assert NOT_IN_STOCK not in page and "***" not in page
    assert not shopper.checkout_sends_back_to_cart()
