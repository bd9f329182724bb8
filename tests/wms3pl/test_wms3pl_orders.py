"""The orders write stream: every outcome, over real HTTP to the sandbox WMS."""

from __future__ import annotations

import pytest

from cartsync.connectors.wms3pl.sandbox.samples import order_body, order_record
from cartsync.engine.connector import Outcome
from cartsync.engine.errors import ConfigError


def test_created_order_is_ok_with_the_wms_id_and_the_connection_ids(wms, connector):
    [outcome] = connector.write("orders", [order_record("OC-10045")])
    [stored] = wms.orders
    assert outcome == Outcome.ok(str(stored["readOnly"]["orderId"]))
    assert stored["readOnly"]["customerIdentifier"]["id"] == 1077
    assert stored["readOnly"]["facilityIdentifier"]["id"] == 1
    assert stored["routingInfo"] == {"carrier": "UPS", "mode": "92"}
    assert stored["orderItems"][0]["itemIdentifier"]["sku"] == "TENT-002"


def test_many_orders_keep_their_order_and_each_gets_its_own_id(wms, make_wms_connector):
    connector = make_wms_connector(wms, concurrency=4)
    references = [f"OC-{n}" for n in range(40)]
    outcomes = connector.write("orders", [order_record(ref) for ref in references])
    ids_by_reference = {o["referenceNum"]: str(o["readOnly"]["orderId"]) for o in wms.orders}
    assert [o.dest_id for o in outcomes] == [ids_by_reference[ref] for ref in references]
    assert {o.status for o in outcomes} == {"ok"}
    assert len(wms.orders) == 40


def test_duplicate_reference_is_a_duplicate_with_the_existing_id(wms, connector):
    [first] = connector.write("orders", [order_record("OC-7")])
    [again] = connector.write("orders", [order_record("OC-7")])
    assert again.status == "duplicate"
    assert again.dest_id == first.dest_id
    assert again.message == ("DuplicateReferenceNum: An order with reference number 'OC-7' already exists "
                             "for customer 1077.")
    assert len(wms.orders) == 1
    lookup = wms.requests_to("GET", "/orders")[-1]["query"]
    assert lookup == {"pgsiz": "1", "pgnum": "1", "sort": "readOnly.orderId",
                      "rql": "referenceNum==OC-7;readOnly.customerIdentifier.id==1077"}


def test_unknown_sku_is_rejected_with_the_wms_words_and_a_hint(wms, connector):
    [outcome] = connector.write("orders", [order_record("OC-8", sku="GIFT-CARD")])
    assert outcome == Outcome.rejected(
        "ValueNotSupported: Value not supported: OrderItems[0].ItemIdentifier.Sku = GIFT-CARD — "
        "SKU GIFT-CARD is not set up for customer 1077 in the WMS: add the item there, or map the store SKU "
        "to the WMS SKU in the pipeline.")
    assert wms.orders == []


def test_unknown_customer_is_rejected_with_a_hint_about_customer_id(wms, make_wms_connector):
    connector = make_wms_connector(wms, customer_id=9999)
    [outcome] = connector.write("orders", [order_record("OC-9")])
    assert outcome.status == "rejected"
    assert outcome.message == (
        "ValueNotSupported: Value not supported: CustomerIdentifier.Id = 9999 — customer 9999 does not exist "
        "in the WMS or this user cannot use it: check customer_id in connections.yaml.")


def test_validation_error_is_rejected_with_the_property_to_fix(wms, connector):
    record = order_record("OC-10")
    record["orderItems"][0]["qty"] = 0
    [outcome] = connector.write("orders", [record])
    assert outcome == Outcome.rejected(
        "Invalid: OrderItems[0].Qty must be a number above 0. — fix OrderItems[0].Qty in the order mapping.")


def test_connection_dropped_after_the_order_was_stored_makes_no_duplicate(wms, connector):
    wms.inject_fault("POST /orders", "drop")
    [outcome] = connector.write("orders", [order_record("OC-11")])
    [stored] = wms.orders
    assert outcome == Outcome.ok(str(stored["readOnly"]["orderId"]))
    assert [r["status"] for r in wms.requests_to("POST", "/orders")] == ["dropped"]
    assert wms.requests_to("GET", "/orders")[-1]["query"]["rql"] == (
        "referenceNum==OC-11;readOnly.customerIdentifier.id==1077")


def test_connection_reset_before_the_order_was_stored_is_unknown_and_not_sent_again(wms, connector):
    """Not found right after a lost reply is no proof: the order stays unknown for the next run's
    reconcile, and is never POSTed twice in one breath."""
    wms.inject_fault("POST /orders", "reset")
    [outcome] = connector.write("orders", [order_record("OC-12")])
    assert outcome.status == "unknown"
    assert "It will be looked up by referenceNum OC-12 before any resend." in outcome.message
    assert [r["status"] for r in wms.requests_to("POST", "/orders")] == ["reset"]
    assert wms.orders == []
    assert connector.reconcile("orders", [order_record("OC-12")]) == [None]


def test_500_after_the_order_was_stored_is_found_by_the_lookup_and_not_sent_again(wms, connector):
    wms.inject_fault("POST /orders", "500-after")
    [outcome] = connector.write("orders", [order_record("OC-13")])
    [stored] = wms.orders
    assert outcome == Outcome.ok(str(stored["readOnly"]["orderId"]))
    assert [r["status"] for r in wms.requests_to("POST", "/orders")] == ["500-after"]


def test_500_on_a_post_is_unknown_never_retried_and_reconciled_later(wms, connector):
    wms.inject_fault("POST /orders", "500")
    [outcome] = connector.write("orders", [order_record("OC-15")])
    assert outcome.status == "unknown"
    assert outcome.message.startswith(f"the WMS at {wms.url} answered 500 to POST {wms.url}/orders after the "
                                      "request was sent, so it may have been applied: Internal Server Error.")
    assert [r["status"] for r in wms.requests_to("POST", "/orders")] == [500], "no second POST"
    assert connector.http.waits == []
    assert wms.orders == []
    assert connector.reconcile("orders", [order_record("OC-15")]) == [None], "no trace: safe to send"


def test_a_lookup_that_fails_after_a_lost_reply_leaves_the_order_unknown(wms, connector):
    wms.inject_fault("POST /orders", "drop")
    wms.inject_fault("GET /orders", "500", times=3)
    [outcome] = connector.write("orders", [order_record("OC-16")])
    assert outcome.status == "unknown"
    assert len(wms.orders) == 1 and len(wms.requests_to("POST", "/orders")) == 1
    [stored] = wms.orders
    assert connector.reconcile("orders", [order_record("OC-16")]) == [
        Outcome.ok(str(stored["readOnly"]["orderId"]))]


def test_reconcile_asks_in_bulk_with_referencenum_in(wms, make_wms_connector):
    connector = make_wms_connector(wms, concurrency=2)
    present = [f"OC-{n}" for n in range(0, 250, 2)]
    for reference in present:
        wms.create_order(order_body(reference))
    asked = [order_record(f"OC-{n}") for n in range(250)]
    answers = connector.reconcile("orders", asked)
    ids = {o["referenceNum"]: str(o["readOnly"]["orderId"]) for o in wms.orders}
    expected = [Outcome.ok(ids[r["referenceNum"]]) if r["referenceNum"] in ids else None for r in asked]
    assert answers == expected
    lookups = wms.requests_to("GET", "/orders")
    assert len(lookups) == 3, "250 referenceNums in groups of at most 100"
    assert all(lookup["query"]["rql"].startswith("referenceNum=in=(") for lookup in lookups)
    assert all(lookup["query"]["rql"].endswith(";readOnly.customerIdentifier.id==1077") for lookup in lookups)


def test_reconcile_finds_the_first_order_when_the_duplicate_check_is_off(wms, connector):
    wms.set_duplicate_check(False)
    first = wms.create_order(order_body("OC-20"))
    wms.create_order(order_body("OC-20"))
    assert connector.reconcile("orders", [order_record("oc-20")]) == [
        Outcome.ok(str(first["readOnly"]["orderId"]))]


def test_reconcile_that_cannot_ask_answers_unknown(wms, connector):
    wms.inject_fault("GET /orders", "500", times=3)
    [answer] = connector.reconcile("orders", [order_record("OC-21")])
    assert answer.status == "unknown"
    assert "answered 500 to GET" in answer.message


def test_429_waits_exactly_retry_after(wms, connector):
    wms.inject_fault("POST /orders", "429", retry_after=2)
    [outcome] = connector.write("orders", [order_record("OC-17")])
    assert outcome.status == "ok"
    assert connector.http.waits == [2.0]


def test_429_until_retries_run_out_is_retryable_because_nothing_was_carried_out(wms, connector):
    wms.inject_fault("POST /orders", "429", times=3, retry_after=0)
    [outcome] = connector.write("orders", [order_record("OC-22")])
    assert outcome.status == "retryable"
    assert wms.orders == []


def test_orders_need_customer_and_facility(wms, make_wms_connector):
    connector = make_wms_connector(wms, customer_id=None, facility_id=None)
    with pytest.raises(ConfigError, match="The orders stream needs customer_id and facility_id"):
        connector.write("orders", [order_record("OC-18")])


def test_orders_go_out_several_at_a_time_fewer_while_the_wms_answers_429(wms, make_wms_connector):
    connector = make_wms_connector(wms, attempts=5)  # the default concurrency: 16
    wms.set_latency(0.05)  # a distant WMS: requests overlap
    first = connector.write("orders", [order_record(f"OC-{n}") for n in range(32)])
    assert [o.status for o in first] == ["ok"] * 32
    assert 2 <= connector.limit.busiest <= 16, "several at a time, never more than the connection allows"
    wms.inject_fault("POST /orders", "429", times=3, retry_after=2)
    second = connector.write("orders", [order_record(f"OC-{n}") for n in range(32, 48)])
    assert [o.status for o in second] == ["ok"] * 16, "a 429 was not carried out: sent again, once"
    assert connector.limit.limit < 16, "the WMS asked to slow down"
    assert connector.http.waits.count(2.0) == 3, "each refused request waits its Retry-After"
    assert wms.orders_by_reference() == {f"OC-{n}": 1 for n in range(48)}
