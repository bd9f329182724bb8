"""The record and settings schemas describe what the connector really reads and accepts."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from cartsync.connectors.wms3pl.connector import Wms3plConnector
from cartsync.connectors.wms3pl.sandbox.samples import order_body, order_record


def validator(stream: str) -> Draft202012Validator:
    return Draft202012Validator(Wms3plConnector.schema(Wms3plConnector.streams[stream].record_schema))


def messages(stream: str, record: dict) -> list[str]:
    return sorted(error.message for error in validator(stream).iter_errors(record))


def test_records_read_match_their_schemas(wms, connector):
    wms.create_order(order_body("OC-1"))
    wms.create_order(order_body("OC-2"))
    wms.ship("OC-1", ["1Z-1"], carrier="UPS")
    wms.cancel("OC-2")
    shipments = [r for page in connector.read("shipments", {}, None) for r in page.records]
    stock = [r for page in connector.read("stock", {}, None) for r in page.records]
    assert [r["kind"] for r in shipments] == ["shipped", "canceled"]
    assert len(stock) == 8
    assert [messages("shipments", r) for r in shipments] == [[], []]
    assert all(messages("stock", r) == [] for r in stock)


def test_order_schema_accepts_the_mapped_order_and_refuses_the_ids_the_connector_adds():
    assert messages("orders", order_record("OC-1")) == []
    with_ids = {"customerIdentifier": {"id": 1077}, **order_record("OC-1")}
    with_ids["orderItems"][0]["qty"] = 0
    assert messages("orders", with_ids) == [
        "0 is less than or equal to the minimum of 0",
        "Additional properties are not allowed ('customerIdentifier' was unexpected)",
    ]


def test_connection_schema():
    schema = Draft202012Validator(Wms3plConnector.connection_schema())
    good = {"client_id": "abc", "client_secret": "s3cret", "user_login_id": 17, "customer_id": 1077,
            "facility_id": 2}
    assert list(schema.iter_errors(good)) == []
    assert sorted(e.message for e in schema.iter_errors({"client_id": "abc", "pgsize": 5})) == [
        "'client_secret' is a required property",
        "'user_login_id' is a required property",
        "Additional properties are not allowed ('pgsize' was unexpected)",
    ]
