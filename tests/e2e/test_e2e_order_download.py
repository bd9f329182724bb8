"""Order download end to end: store orders → WMS orders, through the example client's overlay."""

from __future__ import annotations

import pytest

PROCESSING_ORDERS = ["1002", "1003", "1008", "1014"]  # seed orders in Processing
READY_TO_SHIP = ["1012"]  # the overlay adds the status "Ready to Ship"


def test_exact_payload_of_an_order_with_options_aliases_and_totals(world):
    report = world.run("order_download")
    assert report.counts == {"sent": 5}
    sent = sorted(o["referenceNum"] for o in world.wms.orders)
    assert sent == sorted(f"OC-{key}" for key in PROCESSING_ORDERS + READY_TO_SHIP)

    store_order = world.store.order(1002)
    order = world.wms_order("OC-1002")
    assert order["readOnly"]["customerIdentifier"]["id"] == 1077
    assert order["readOnly"]["facilityIdentifier"]["id"] == 1
    assert order["poNum"] == "1002"
    assert order["billingCode"] == "Prepaid"
    assert order["routingInfo"]["carrier"] == "UPS" and order["routingInfo"]["mode"] == "03"  # ups.GND
    assert (
        order["shipTo"]["name"] == f"{store_order['shipping_firstname']} {store_order['shipping_lastname']}"
    )
    assert order["shipTo"]["address1"] == store_order["shipping_address_1"]
    assert order["shipTo"]["city"] == store_order["shipping_city"]
    assert order["shipTo"]["zip"] == store_order["shipping_postcode"]
    assert order["shipTo"]["emailAddress"] == store_order["email"]
    assert order["shipTo"]["country"] == "GB"
    assert order["notes"] == (store_order.get("comment") or "")
    items = [(i["itemIdentifier"]["sku"], i["qty"]) for i in order["orderItems"]]
    assert items == [("SHIRT-HIKE-M", 2), ("WB-750", 1)]  # option alias; model when there is no SKU
    shipping = sum(float(t["value"]) for t in store_order["totals"] if t["code"] == "shipping")
    assert order["fulfillInvInfo"]["fulfillInvShippingAndHandling"] == round(shipping, 2)


def test_rerun_sends_nothing_twice(world):
    world.run("order_download")
    posts = len(world.wms.requests_to("POST", "/orders"))
    report = world.run("order_download")
    assert report.counts.get("sent", 0) == 0
    assert len(world.wms.requests_to("POST", "/orders")) == posts
    world.store.set_order_status(1002, "Processing", comment="paid again")  # moves date_modified
    report = world.run("order_download")
    assert report.counts.get("sent", 0) == 0
    assert len(world.wms.orders) == 5


def test_unmapped_ship_method_is_held_then_fixed_and_resent(world, edit):
    from cartsync.engine.ledger_commands import LedgerCommands
    from cartsync.engine.state import StateStore

    edit("../client/order_download.yaml", "lookups:\n", "lookups:\n  ship_methods: ship_methods.yaml\n")
    (world.client / "ship_methods.yaml").write_text(
        "flat.flat: {carrier: UPS, mode: '92'}\nups.GND: {carrier: UPS, mode: '03'}\n"
    )
    report = world.run("order_download")
    assert report.exit_code == 1
    assert [(p.key, p.message) for p in report.problems] == [
        ("1008", "routingInfo: Unmapped Ship Method: ups.2DA")
    ]
    assert world.ledger("1008").status == "error"
    assert "OC-1008" not in [o["referenceNum"] for o in world.wms.orders]

    with (world.client / "ship_methods.yaml").open("a") as handle:
        handle.write("ups.2DA: {carrier: UPS, mode: '02'}\n")
    store = StateStore.open(world.state)
    LedgerCommands(store).resend("1008")
    store.close()
    report = world.run("order_download")
    assert report.counts["sent"] == 1 and report.exit_code == 0
    assert world.ledger("1008").status == "at_wms"
    assert world.wms_order("OC-1008")["routingInfo"]["mode"] == "02"


def test_a_record_that_breaks_the_wms_schema_is_rejected_and_not_sent(world, edit):
    edit("order_download.yaml", "settings:\n", 'map:\n  shipTo: "`null`"\nsettings:\n')
    report = world.run("order_download")
    assert report.counts == {"rejected": 5}
    assert all("shipTo" in problem.message for problem in report.problems)
    assert world.wms.orders == []


def test_orders_answered_500_stay_unknown_and_the_cursor_waits(world):
    world.wms.inject_fault("POST /orders", "500", times=100)
    report = world.run("order_download")
    assert report.counts == {"unknown": 5}
    assert len(world.wms.requests_to("POST", "/orders")) == 5, "a POST answered 500 is never repeated"
    row = world.ledger("1002")
    assert (row.status, row.in_flight, row.transient) == ("new", True, True)
    from cartsync.engine.state import StateStore

    assert StateStore.open(world.state).cursor("order_download") is None


def test_a_crash_after_sending_is_reconciled_by_asking_the_wms_not_by_resending(world, crash_intent):
    """The process died after POST /orders left but before the outcome was recorded."""
    world.run("order_download")
    row = world.ledger("1002")
    # the state the crash leaves: intent recorded, no outcome
    crash_intent(world.state, entity="order", pipeline="order_download",
                 sends=[("1002", row.record, row.payload)])
    posts = len(world.wms.requests_to("POST", "/orders"))

    report = world.run("order_download")
    assert len(world.wms.requests_to("POST", "/orders")) == posts, "nothing is sent again"
    assert report.counts["sent"] == 1  # the reconciled send, counted once
    after = world.ledger("1002")
    assert (after.status, after.dest_id, after.in_flight) == ("at_wms", row.dest_id, False)
    assert [o["referenceNum"] for o in world.wms.orders].count("OC-1002") == 1


@pytest.mark.parametrize("world", [("3.0", "sqlite"), ("3.0", "postgresql")], indirect=True,
                         ids=["3.0", "3.0-postgresql"])
def test_transient_errors_retry_at_growing_intervals_then_give_up(world):
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    world.wms.inject_fault("POST /orders", "500", times=10_000)
    world.run("order_download", now=lambda: start)
    row = world.ledger("1002")
    assert (row.in_flight, row.transient, row.next_attempt_at) == (True, True, "2026-03-02T10:00:00+00:00")

    posts = len(world.wms.requests_to("POST", "/orders"))
    report = world.run("order_download", now=lambda: start + timedelta(minutes=10))
    assert len(world.wms.requests_to("POST", "/orders")) == posts, "not due yet: nothing is sent"
    assert report.skip_reasons["retry scheduled at 2026-03-02T10:00:00+00:00"] == 5  # all five orders

    world.run("order_download", now=lambda: start + timedelta(hours=1))
    assert world.ledger("1002").next_attempt_at == "2026-03-02T12:00:00+00:00"  # the interval doubled

    report = world.run("order_download", now=lambda: start + timedelta(days=16))
    row = world.ledger("1002")
    assert (row.status, row.transient) == ("error", False), "after retry_for a person must act"
    assert "gave up after retrying for 15 days" in row.last_error
    assert report.exit_code == 1

    world.wms.faults.clear()
    report = world.run("order_download", now=lambda: start + timedelta(days=17))
    assert report.counts.get("sent", 0) == 0, "given-up orders wait for `cartsync orders resend`"


def test_an_option_line_without_its_own_alias_keeps_the_store_sku(world, edit):
    edit("lookups/sku_aliases.yaml", '"SHIRT-HIKE|Size:Medium": SHIRT-HIKE-M\n', "")
    world.wms.store.add_item("SHIRT-HIKE", customer_id=1077)  # the WMS knows the shirt by its store SKU
    assert world.run("order_download").counts == {"sent": 5}
    items = [(i["itemIdentifier"]["sku"], i["qty"]) for i in world.wms_order("OC-1002")["orderItems"]]
    assert items == [("SHIRT-HIKE", 2), ("WB-750", 1)]  # the README: unlisted items keep their store SKU


def test_an_order_without_a_ship_to_address_is_held_with_the_reason(world):
    empty = {"firstname": "Bob", "lastname": "Smith", "company": "", "address_1": " ", "address_2": "",
             "city": "", "postcode": "", "country_id": 222, "zone_id": 0}
    order_id = world.store.add_order("Processing", template=1002, shipping_address=empty)
    report = world.run("order_download")
    assert report.counts == {"sent": 5, "rejected": 1}
    assert f"OC-{order_id}" not in [o["referenceNum"] for o in world.wms.orders]
    row = world.ledger(str(order_id))
    assert row.status == "error"
    assert row.last_error == (
        "shipTo.address1: The order has no complete ship-to address (empty: address line 1, city): add it "
        "in the store "
        f"admin (Sales > Orders > edit), then `cartsync orders resend {order_id}`"
    )


def test_the_wms_gets_text_as_the_shopper_typed_it_not_html_escaped(world):
    address = {"firstname": "Ann", "lastname": "O'Hara", "company": "Smith & Sons <Ltd>",
               "address_1": '12 "Quoted" Straße', "address_2": "", "city": "Köln", "postcode": "50667",
               "country_id": 81, "zone_id": 1256}
    order_id = world.store.add_order("Processing", template=1002, shipping_address=address,
                                     comment="Ring twice & leave <at the back>")
    stored = world.store.state.orders[order_id]  # as OpenCart keeps checkout input: HTML-escaped
    assert stored["shipping_address"]["company"] == "Smith &amp; Sons &lt;Ltd&gt;"
    world.run("order_download")
    order = world.wms_order(f"OC-{order_id}")
    assert order["shipTo"]["companyName"] == "Smith & Sons <Ltd>"
    assert order["shipTo"]["address1"] == '12 "Quoted" Straße'
    assert order["shipTo"]["name"] == "Ann O'Hara"
    assert order["notes"] == "Ring twice & leave <at the back>"
