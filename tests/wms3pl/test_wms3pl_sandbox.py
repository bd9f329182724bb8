"""The sandbox WMS itself, over HTTP: RQL, paging limits, reply shapes, errors, operator routes, CLI."""

from __future__ import annotations

import pytest
import requests
from typer.testing import CliRunner

from cartsync.connectors.wms3pl.sandbox import WmsException
from cartsync.connectors.wms3pl.sandbox.cli import app
from cartsync.connectors.wms3pl.sandbox.samples import order_body


@pytest.fixture
def api(wms):
    """GET a sandbox route with a valid token; returns the response."""
    token = requests.post(f"{wms.url}/AuthServer/api/Token", auth=("sandbox-client", "sandbox-secret"),
                          json={"grant_type": "client_credentials", "user_login_id": "1"}, timeout=5
                          ).json()["access_token"]

    def get(path, accept="application/hal+json", **params):
        return requests.get(f"{wms.url}{path}", params=params, timeout=5,
                            headers={"Authorization": f"Bearer {token}", "Accept": accept})

    return get


@pytest.fixture
def five_orders(wms):
    for n in range(1, 6):
        wms.create_order(order_body(f"OC-{n}", facility_id=1 if n % 2 else 2))
    wms.ship("OC-2", ["1Z-2"], carrier="UPS")
    wms.cancel("OC-3")


def references(reply):
    return [o["referenceNum"] for o in reply.json()["_embedded"]["http://api.3plCentral.com/rels/orders/order"]]


@pytest.mark.parametrize(("rql", "expected"), [
    ("referenceNum==OC-4", ["OC-4"]),
    ("REFERENCENUM==oc-4", ["OC-4"]),
    ("readOnly.isClosed==true", ["OC-2", "OC-3"]),
    ("readOnly.isClosed==true;readOnly.status==2", ["OC-3"]),
    ("readOnly.status==1,readOnly.status==2", ["OC-2", "OC-3"]),
    ("readOnly.facilityIdentifier.id==2;(referenceNum==OC-2,referenceNum==OC-4)", ["OC-2", "OC-4"]),
    ("readOnly.orderId=in=(1,5)", ["OC-1", "OC-5"]),
    ("readOnly.orderId=out=(1,5)", ["OC-2", "OC-3", "OC-4"]),
    ("readOnly.orderId=gt=3", ["OC-4", "OC-5"]),
    ("readOnly.orderId=le=2", ["OC-1", "OC-2"]),
    ("readOnly.status!=0", ["OC-2", "OC-3"]),
    ("readOnly.lastModifiedDate=ge=2000-01-01T00:00:00", ["OC-1", "OC-2", "OC-3", "OC-4", "OC-5"]),
    ("readOnly.lastModifiedDate=lt=2000-01-01", []),
    ('referenceNum=="OC-5"', ["OC-5"]),
])
def test_rql_filters(api, five_orders, rql, expected):
    reply = api("/orders", rql=rql)
    assert reply.status_code == 200
    assert references(reply) == expected
    assert reply.json()["totalResults"] == len(expected)


def test_unsupported_property_is_a_query_parameter_exception_with_a_hint(api):
    reply = api("/orders", rql="gorp==1;referenceNum==x")
    assert reply.status_code == 400
    assert reply.json() == {"$type": "Dto.Exceptions.QueryParameterException, Dto", "Parameters": ["rql"],
                            "ErrorCode": "NotParsable", "Hint": "Properties not supported: gorp"}


def test_paging_sort_and_page_size_limit(api, five_orders):
    assert references(api("/orders", pgsiz="2", pgnum="2", sort="-readOnly.orderId")) == ["OC-3", "OC-2"]
    reply = api("/orders", pgsiz="1001")
    assert (reply.status_code, reply.json()["Hint"]) == (400, "pgsiz must be 1000 or less.")
    assert api("/inventory/stocksummaries", pgsiz="501").json()["Hint"] == "pgsiz must be 500 or less."


def test_misspelled_parameters_are_silently_ignored(api, five_orders):
    reply = api("/orders", pgsize="1", rq="referenceNum==OC-1")
    assert reply.status_code == 200
    assert references(reply) == ["OC-1", "OC-2", "OC-3", "OC-4", "OC-5"]


def test_detail_decides_whether_packages_and_items_come(api, five_orders):
    def order_two(**params):
        reply = api("/orders", rql="referenceNum==OC-2", **params).json()
        return reply["_embedded"]["http://api.3plCentral.com/rels/orders/order"][0]

    assert "packages" not in order_two()["readOnly"]
    assert "orderItems" not in order_two()
    packages = order_two(detail="Packages")["readOnly"]["packages"]
    assert packages == [{"packageId": 201, "trackingNumber": "1Z-2"}]
    assert order_two(detail="All")["orderItems"][0]["qty"] == 1


def test_plain_json_reply_is_pascal_case(api, five_orders):
    reply = api("/orders", accept="application/json", rql="referenceNum==OC-2", detail="All").json()
    assert reply["TotalResults"] == 1
    [order] = reply["ResourceList"]
    assert (order["ReferenceNum"], order["ReadOnly"]["IsClosed"], order["RoutingInfo"]["Carrier"],
            order["ReadOnly"]["Packages"][0]["TrackingNumber"]) == ("OC-2", True, "UPS", "1Z-2")


def test_500_is_plain_text(wms, api):
    wms.inject_fault("GET /orders", "500")
    reply = api("/orders")
    assert (reply.status_code, reply.headers["Content-Type"]) == (500, "text/plain; charset=utf-8")
    assert reply.text.startswith("Internal Server Error.")


def test_missing_or_expired_bearer_is_401(wms, api):
    assert requests.get(f"{wms.url}/orders", timeout=5).status_code == 401
    wms.expire_tokens()
    assert api("/orders").status_code == 401


def test_duplicate_and_missing_fields_are_rejected_like_the_wms(wms):
    wms.create_order(order_body("OC-1"))
    with pytest.raises(WmsException) as duplicate:
        wms.create_order(order_body("oc-1"))
    assert duplicate.value.payload["ErrorCode"] == "DuplicateReferenceNum"
    body = order_body("OC-2")
    del body["shipTo"]
    with pytest.raises(WmsException) as missing:
        wms.create_order(body)
    assert (missing.value.status, missing.value.payload["Hint"]) == (400, "ShipTo is required.")


def test_operator_routes_over_http(wms, api):
    wms.create_order(order_body("OC-1"))
    shipped = requests.post(f"{wms.url}/_sandbox/ship", timeout=5, json={
        "referenceNum": "OC-1", "carrier": "FDX", "packages": [{"trackingNumber": "7712"}]})
    assert shipped.status_code == 200
    assert wms.orders[0]["readOnly"]["packages"] == [{"packageId": 101, "trackingNumber": "7712"}]
    again = requests.post(f"{wms.url}/_sandbox/cancel", json={"referenceNum": "OC-1"}, timeout=5)
    assert (again.status_code, again.json()) == (409, {"error": "order 'OC-1' is already closed"})
    requests.post(f"{wms.url}/_sandbox/faults", json={"route": "GET /orders", "kind": "429", "retryAfter": 7},
                  timeout=5)
    reply = api("/orders")
    assert (reply.status_code, reply.headers["Retry-After"]) == (429, "7")
    requests.post(f"{wms.url}/_sandbox/faults", json={"route": "*", "kind": "500"}, timeout=5)
    assert api("/inventory/stocksummaries").status_code == 500, "a fault on * hits any route"
    report = requests.get(f"{wms.url}/_sandbox/faults", timeout=5).json()
    assert report["faults"] == []
    assert report["fired"] == [{"route": "GET /inventory/stocksummaries", "kind": "500", "count": 1},
                               {"route": "GET /orders", "kind": "429", "count": 1}]


def test_duplicate_check_can_be_switched_off_and_on_over_http(wms):
    def switch(enabled: bool) -> requests.Response:
        return requests.post(f"{wms.url}/_sandbox/duplicate-check", json={"enabled": enabled}, timeout=5)

    assert switch(False).json() == {"customerId": 1077, "duplicateCheck": False}
    wms.create_order(order_body("OC-1"))
    wms.create_order(order_body("oc-1"))
    assert wms.orders_by_reference() == {"OC-1": 1, "oc-1": 1}
    switch(True)
    with pytest.raises(WmsException):
        wms.create_order(order_body("OC-1"))
    unknown = requests.post(f"{wms.url}/_sandbox/duplicate-check", json={"enabled": False, "customerId": 5},
                            timeout=5)
    assert unknown.status_code == 404
    assert unknown.json() == {"error": "customer 5 does not exist in the sandbox"}


def test_500_after_stores_the_order_then_answers_500(wms):
    wms.inject_fault("POST /orders", "500-after")
    token = requests.post(f"{wms.url}/AuthServer/api/Token", auth=("sandbox-client", "sandbox-secret"),
                          json={"grant_type": "client_credentials", "user_login_id": "1"}, timeout=5
                          ).json()["access_token"]
    reply = requests.post(f"{wms.url}/orders", json=order_body("OC-9"), timeout=5,
                          headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 500
    assert [o["referenceNum"] for o in wms.orders] == ["OC-9"]


def test_a_fault_mix_is_reproducible_with_its_seed(wms, api):
    def statuses(seed: int) -> list:
        wms.requests.clear()
        requests.post(f"{wms.url}/_sandbox/fault-mix", timeout=5, json={
            "route": "GET /inventory/stocksummaries", "mix": {"500": 0.3, "429": 0.2}, "seed": seed,
            "retryAfter": 0})
        for _ in range(40):
            api("/inventory/stocksummaries")
        return [r["status"] for r in wms.requests_to("GET", "/inventory/stocksummaries")]

    first = statuses(7)
    assert statuses(7) == first
    assert statuses(8) != first
    assert {500, 429, 200} == set(first)
    requests.post(f"{wms.url}/_sandbox/clear-faults", json={}, timeout=5)
    assert api("/inventory/stocksummaries").status_code == 200
    refused = requests.post(f"{wms.url}/_sandbox/fault-mix", timeout=5,
                            json={"route": "GET /orders", "mix": {"500": 0.7, "drop": 0.6}})
    assert (refused.status_code, refused.json()) == (
        409, {"error": "the chances of a fault mix add up to more than 1"})


def test_cli_drives_a_running_sandbox(wms):
    wms.create_order(order_body("OC-1"))
    wms.create_order(order_body("OC-2"))
    runner = CliRunner()
    shipped = runner.invoke(app, ["ship", "--url", wms.url, "OC-1", "--tracking", "1Z1", "--tracking", "1Z2",
                                  "--carrier", "UPS"])
    assert shipped.exit_code == 0, shipped.output
    assert [p["trackingNumber"] for p in wms.orders[0]["readOnly"]["packages"]] == ["1Z1", "1Z2"]
    assert runner.invoke(app, ["cancel", "--url", wms.url, "OC-2"]).exit_code == 0
    assert wms.orders[1]["readOnly"]["status"] == 2
    adjusted = runner.invoke(app, ["adjust-stock", "--url", wms.url, "LAMP-300", "5", "--facility", "2"])
    assert adjusted.exit_code == 0
    assert wms.store.stock[("LAMP-300", "", 2)]["available"] == 5
    assert runner.invoke(app, ["duplicate-check", "--url", wms.url, "off"]).exit_code == 0
    assert wms.store.duplicates_allowed == {1077}
    mixed = runner.invoke(app, ["fault-mix", "--url", wms.url, "POST /orders", "500=0.2", "drop=0.05",
                                "--seed", "3"])
    assert mixed.exit_code == 0, mixed.output
    drawn = [wms.faults.take("POST /orders") for _ in range(300)]
    assert {fault.kind for fault in drawn if fault} == {"500", "drop"}
    assert runner.invoke(app, ["clear-faults", "--url", wms.url]).exit_code == 0
    assert wms.faults.take("POST /orders") is None
    unknown = runner.invoke(app, ["cancel", "--url", wms.url, "OC-404"])
    assert unknown.exit_code == 1
    assert "no order with reference number 'OC-404'" in unknown.output
