"""The shipments read stream: closed orders since a cursor, paged, in HAL and plain JSON."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cartsync.connectors.wms3pl.sandbox.samples import order_body


def read_all(connector, params=None, cursor=None):
    pages = list(connector.read("shipments", params or {}, cursor))
    return pages, [record for page in pages for record in page.records]


def test_shipped_order_record_carries_routing_and_tracking_from_everywhere(wms, connector):
    wms.create_order(order_body("OC-1"))
    wms.ship("OC-1", ["1Z-A", {"trackingNumber": "1Z-B", "weight": 2.5}, "1Z-A"], carrier="UPS",
             mode="92", scac_code="UPSN", tracking_number="1Z-MASTER")
    _, [record] = read_all(connector)
    closed = wms.orders[0]["readOnly"]
    assert record == {
        "kind": "shipped", "referenceNum": "OC-1", "orderId": 1, "carrier": "UPS", "mode": "92",
        "scacCode": "UPSN", "trackingNumbers": ["1Z-MASTER", "1Z-A", "1Z-B"],
        "packages": [{"packageId": 101, "trackingNumber": "1Z-A"},
                     {"packageId": 102, "trackingNumber": "1Z-B", "weight": 2.5},
                     {"packageId": 103, "trackingNumber": "1Z-A"}],
        "closedDate": closed["processDate"], "lastModifiedDate": closed["lastModifiedDate"],
    }


def test_canceled_orders_come_as_their_own_kind_and_open_orders_not_at_all(wms, connector):
    for reference in ("OC-1", "OC-2", "OC-3"):
        wms.create_order(order_body(reference))
    wms.cancel("OC-2")
    wms.ship("OC-3", ["1Z-3"], carrier="FDX")
    _, records = read_all(connector)
    assert [(r["referenceNum"], r["kind"], r["trackingNumbers"]) for r in records] == [
        ("OC-2", "canceled", []), ("OC-3", "shipped", ["1Z-3"])]


def test_query_uses_the_exact_parameter_names_and_filter(wms, connector):
    list(connector.read("shipments", {"earliest": "2024-05-01"}, None))
    [sent] = wms.requests_to("GET", "/orders")
    assert sent["query"] == {
        "pgsiz": "100", "pgnum": "1",
        "rql": "readOnly.isClosed==true;readOnly.lastModifiedDate=ge=2024-05-01T00:00:00;"
               "readOnly.customerIdentifier.id==1077",
        "sort": "readOnly.lastModifiedDate", "detail": "All",
    }


def test_cursor_is_the_newest_date_read_and_the_next_read_overlaps_it(wms, connector):
    for n in range(3):
        wms.create_order(order_body(f"OC-{n}"))
        wms.ship(f"OC-{n}", [f"1Z-{n}"])
    pages, _ = read_all(connector)
    cursor = pages[-1].cursor
    assert cursor == {"lastModifiedDate": wms.orders[2]["readOnly"]["lastModifiedDate"]}
    _, again = read_all(connector, {"overlap_minutes": 5}, cursor)
    assert [r["referenceNum"] for r in again] == ["OC-0", "OC-1", "OC-2"]  # the overlap re-reads them
    since = datetime.fromisoformat(cursor["lastModifiedDate"]) - timedelta(minutes=5)
    assert f"readOnly.lastModifiedDate=ge={since:%Y-%m-%dT%H:%M:%S}" in wms.requests[-1]["query"]["rql"]


def test_2500_closed_orders_are_read_page_by_page_each_once(wms, make_wms_connector):
    for n in range(2500):
        wms.create_order(order_body(f"OC-{n:05d}"))
        wms.ship(f"OC-{n:05d}", [f"1Z{n:08d}"])
    connector = make_wms_connector(wms, page_size=1000)
    pages, records = read_all(connector)
    assert [len(page.records) for page in pages] == [1000, 1000, 500]
    assert [r["referenceNum"] for r in records] == [f"OC-{n:05d}" for n in range(2500)]
    assert [r["query"]["pgnum"] for r in wms.requests_to("GET", "/orders")] == ["1", "2", "3"]
    assert {r["query"]["pgsiz"] for r in wms.requests_to("GET", "/orders")} == {"1000"}
    assert pages[0].cursor == {"lastModifiedDate": records[999]["lastModifiedDate"]}


@pytest.mark.parametrize(("reply_format", "accept"), [("hal", "application/hal+json"),
                                                      ("json", "application/json")])
def test_hal_and_plain_json_replies_give_the_same_records(wms, make_wms_connector, reply_format, accept):
    wms.create_order(order_body("OC-1"))
    wms.ship("OC-1", ["1Z-1", "1Z-2"], carrier="UPS", mode="92")
    _, [record] = read_all(make_wms_connector(wms, reply_format=reply_format))
    assert (record["referenceNum"], record["carrier"], record["mode"], record["trackingNumbers"],
            record["packages"][1]) == ("OC-1", "UPS", "92", ["1Z-1", "1Z-2"],
                                       {"packageId": 102, "trackingNumber": "1Z-2"})
    assert wms.requests_to("GET", "/orders")[-1]["accept"] == accept


def test_no_closed_orders_yields_no_page(connector):
    assert list(connector.read("shipments", {}, None)) == []
