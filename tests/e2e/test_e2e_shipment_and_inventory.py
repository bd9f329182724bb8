"""Shipment confirmation and inventory sync end to end, on store versions 2.3, 3.0 and 4.1."""

from __future__ import annotations

import pytest


def test_tracking_reaches_the_customer_and_the_ledger(world):
    world.run("order_download")
    world.wms.ship("OC-1002", [{"trackingNumber": "1Z999AA10123456784"}], carrier="UPS")
    world.wms.ship(
        "OC-1003", [{"trackingNumber": "794698570123"}, {"trackingNumber": "794698570124"}], carrier="FDX"
    )
    report = world.run("shipment_confirmation")
    assert report.counts["sent"] == 2 and report.exit_code == 0
    assert world.ledger("1002").status == "confirmed"
    assert world.ledger("1002").dest_id == str(world.wms_order("OC-1002")["readOnly"]["orderId"])
    mails = {mail["subject"].rsplit(" ", 1)[-1]: mail for mail in world.store.emails}
    assert "1Z999AA10123456784" in mails["1002"]["body"]
    body = mails["1003"]["body"]
    assert "FedEx" in body  # FDX normalised through lookups/carriers.yaml
    assert "794698570123, 794698570124" in body
    assert "https://www.fedex.com/fedextrack/?trknbr=794698570124" in body
    links = [line for line in body.splitlines() if line.startswith("https://www.fedex.com/")]
    assert len(links) == 2, "one tracking link a line"
    assert world.store.order(1002)["order_status_id"] == world.store.status_id("Shipped")

    emails = len(world.store.emails)
    report = world.run("shipment_confirmation")
    assert report.counts.get("sent", 0) == 0
    assert len(world.store.emails) == emails, "a rerun must not email customers twice"


def test_orders_not_sent_by_cartsync_are_not_confirmed(world):
    world.wms.create_order(
        {
            "customerIdentifier": {"id": 1077},
            "facilityIdentifier": {"id": 1},
            "referenceNum": "OC-1001",
            "shipTo": {"name": "Walk In"},
            "orderItems": [{"itemIdentifier": {"sku": "TENT-002"}, "qty": 1}],
        }
    )
    world.wms.ship("OC-1001", ["1ZWALKIN"], carrier="UPS")
    report = world.run("shipment_confirmation")
    assert report.counts == {"skipped": 1}
    assert "not sent by cartsync" in next(iter(report.skip_reasons))
    assert world.store.emails == []


def test_canceled_in_the_wms_sets_the_overlay_status(world):
    world.run("order_download")
    world.wms.cancel("OC-1014")
    report = world.run("shipment_confirmation")
    assert report.counts["sent"] == 1
    assert world.ledger("1014").status == "canceled"
    assert world.store.order(1014)["order_status_id"] == world.store.status_id("Canceled")


def test_stock_for_products_and_options_with_buffer_minimum_and_unknown_skus(world):
    report = world.run("inventory_sync")
    # the overlay holds back 2 (buffer) and sends 0 below 3 (minimum level)
    assert world.store.product_quantity("TENT-002") == 12 + 5 + 7 - 2
    assert world.store.product_quantity("STOVE-100") == 30 + 3 - 2  # qualifiers summed
    assert world.store.option_quantity("SHIRT-HIKE", "Size", "Medium") == 14 + 4 - 2
    assert world.store.option_quantity("SHIRT-HIKE", "Size", "Large") == 0  # 2 - 2 is below 3
    assert world.store.option_quantity("BAG-5C", "Color", "Blue") == 11 - 2
    assert world.store.product_quantity("LAMP-300") == 55 - 2  # HEADLAMP-300 read backwards
    assert world.store.product_quantity(model="WB-750") == 90 - 2  # no SKU in the store: found by model
    assert [p.key for p in report.not_found] == ["SOCK-WOOL-M"]
    assert report.exit_code == 0, "SKUs the store does not know are listed, not failures"

    report = world.run("inventory_sync")
    assert report.counts.get("sent", 0) == 0, "only changed quantities are pushed"
    world.wms.adjust_stock("PEG-ALU", -30, facility_id=1)
    report = world.run("inventory_sync")
    assert report.counts["sent"] == 1
    assert world.store.product_quantity("PEG-ALU") == 180 - 30 - 2
    report = world.run("inventory_sync", full=True)
    assert report.counts["sent"] == 12  # 13 WMS SKUs, 1 of them unknown to the store


def test_orders_not_yet_at_the_wms_are_subtracted(world):
    world.wms.inject_fault("POST /orders", "500", times=100)
    world.run("order_download")  # every order stays in `error` (transient)
    world.run("inventory_sync")
    # order 1002 holds 2 × SHIRT-HIKE|Size:Medium, order 1014 one Small
    assert world.store.option_quantity("SHIRT-HIKE", "Size", "Medium") == 14 + 4 - 2 - 2
    assert world.store.option_quantity("SHIRT-HIKE", "Size", "Small") == 9 - 2 - 1


@pytest.mark.parametrize("world", [("3.0", "sqlite"), ("3.0", "postgresql")], indirect=True,
                         ids=["3.0", "3.0-postgresql"])
def test_a_stock_intent_left_by_a_crash_is_not_replayed_with_its_old_quantity(world, crash_intent):
    world.run("inventory_sync")
    assert world.store.product_quantity("TENT-002") == 22
    stale = world.ledger("TENT-002", entity="stock")
    crash_intent(world.state, entity="stock", pipeline="inventory_sync",  # the run died while pushing 22
                 sends=[("TENT-002", stale.record, stale.payload)])
    world.wms.adjust_stock("TENT-002", -4, facility_id=1)
    world.run("inventory_sync")
    assert world.store.product_quantity("TENT-002") == 18, "the current quantity, not the stale 22"
    row = world.ledger("TENT-002", entity="stock")
    assert (row.in_flight, row.payload["quantity"]) == (False, 18)


def test_stock_rows_are_shown_held_and_resent_from_the_command_line(world, monkeypatch):
    from typer.testing import CliRunner

    from cartsync.cli import app

    monkeypatch.setenv("COLUMNS", "200")

    def cartsync(*args: str) -> str:
        result = CliRunner().invoke(app, ["orders", *args, "--entity", "stock", "--state", str(world.state)])
        assert result.exit_code == 0, result.output
        return result.output

    world.run("inventory_sync")
    assert "stock SOCK-WOOL-M: not_found" in cartsync("show", "SOCK-WOOL-M")
    assert "stock TENT-002 is held" in cartsync("hold", "TENT-002")
    world.wms.adjust_stock("TENT-002", -4, facility_id=1)
    world.run("inventory_sync")
    assert world.store.product_quantity("TENT-002") == 12 + 5 + 7 - 2, "a held SKU is not sent"
    assert "stock TENT-002 is released" in cartsync("release", "TENT-002")
    world.run("inventory_sync")
    assert world.store.product_quantity("TENT-002") == 12 - 4 + 5 + 7 - 2
    world.store.state.products[50]["quantity"] = 999  # changed by hand in the store's admin
    assert world.run("inventory_sync").counts.get("sent", 0) == 0, "the WMS quantity did not change"
    assert "stock TENT-002 will be sent again" in cartsync("resend", "TENT-002")
    world.run("inventory_sync")
    assert world.store.product_quantity("TENT-002") == 12 - 4 + 5 + 7 - 2
