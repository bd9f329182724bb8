"""The stock read stream: 500-row pages, sums across qualifiers and facilities, stock moves."""

from __future__ import annotations

import pytest

from cartsync.connectors.wms3pl.sandbox import start_sandbox_wms
from cartsync.connectors.wms3pl.sandbox.samples import order_record
from cartsync.engine.errors import ConfigError

QUALIFIERS = ("", "Lot-B", "Damaged")  # "Damaged" stock is all on hold


def big_seed(skus: int = 200) -> dict:
    """skus × 3 qualifiers × 2 facilities rows; onHand = i + 1000·q + 100·facility."""
    names = [f"SKU-{i:04d}" for i in range(skus)]
    stock = [
        {"sku": name, "facilityId": facility, "qualifier": qualifier,
         "onHand": i + 1000 * q + 100 * facility, "onHold": (i + 1000 * q + 100 * facility) if q == 2 else 0}
        for i, name in enumerate(names) for q, qualifier in enumerate(QUALIFIERS) for facility in (1, 2)
    ]
    return {"customers": [{"id": 1077, "skus": names}], "facilities": [{"id": 1}, {"id": 2}], "stock": stock}


@pytest.fixture
def big_wms():
    with start_sandbox_wms(seed=big_seed()) as sandbox:
        yield sandbox


def read_stock(connector, **params):
    return {r["sku"]: r for page in connector.read("stock", params, None) for r in page.records}


@pytest.mark.parametrize("page_size", [1000, 100])
def test_1200_rows_are_read_in_pages_of_500_and_summed_per_sku(big_wms, make_wms_connector, page_size):
    connector = make_wms_connector(big_wms, page_size=page_size)  # stock is read at the largest page
    stock = read_stock(connector)
    assert len(stock) == 200
    assert stock["SKU-0003"] == {"sku": "SKU-0003", "available": 2612, "onHand": 6918, "allocated": 0,
                                 "facilities": {"1": 1206, "2": 1406}}
    sent = [r["query"] for r in big_wms.requests_to("GET", "/inventory/stocksummaries")]
    assert sent[0] == {"pgsiz": "500", "pgnum": "1"}, "the first page tells how many there are"
    assert sorted(sent, key=lambda q: q["pgnum"]) == [{"pgsiz": "500", "pgnum": str(n)} for n in (1, 2, 3)]


def test_configured_facility_only(big_wms, make_wms_connector):
    stock = read_stock(make_wms_connector(big_wms, facility_id=2), facility="configured")
    assert stock["SKU-0003"] == {"sku": "SKU-0003", "available": 1406, "onHand": 3609, "allocated": 0,
                                 "facilities": {"2": 1406}}


def test_configured_facility_needs_facility_id(wms, make_wms_connector):
    connector = make_wms_connector(wms, facility_id=None)
    with pytest.raises(ConfigError, match="facility: configured needs facility_id"):
        read_stock(connector, facility="configured")


def test_stock_is_allocated_by_an_order_moved_by_shipping_and_released_by_cancel(wms, connector):
    def tent() -> dict:
        return read_stock(connector)["TENT-002"]

    assert tent() == {"sku": "TENT-002", "available": 24, "onHand": 24, "allocated": 0,
                      "facilities": {"1": 12, "2": 12}}
    connector.write("orders", [order_record("OC-1", qty=2), order_record("OC-2", qty=3)])
    assert tent() == {"sku": "TENT-002", "available": 19, "onHand": 24, "allocated": 5,
                      "facilities": {"1": 7, "2": 12}}
    wms.ship("OC-1", ["1Z-1"])
    wms.cancel("OC-2")
    # shipped stock leaves onHand but still counts as allocated: `available` is the number to use
    assert tent() == {"sku": "TENT-002", "available": 10 + 12, "onHand": 22, "allocated": 2,
                      "facilities": {"1": 10, "2": 12}}


def test_adjusting_stock_changes_available(wms, connector):
    wms.adjust_stock("LAMP-300", -5, facility_id=1)
    wms.adjust_stock("LAMP-300", 7, facility_id=2, qualifier="Lot-9")
    assert read_stock(connector)["LAMP-300"]["facilities"] == {"1": 50, "2": 7}
