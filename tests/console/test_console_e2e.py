"""A support person, in a real browser, against both sandboxes: finds the held order, reads why,
resends it after the cause is fixed, and sees it at the WMS after the next run."""

from __future__ import annotations

import pytest
from console_helpers import browser_sign_in


@pytest.mark.parametrize(
    "world", [("3.0", "sqlite"), ("4.1", "postgresql")], ids=["3.0", "4.1-postgresql"], indirect=True
)
def test_a_person_finds_a_held_order_resends_it_and_sees_it_delivered(world, edit, start_console, page):
    edit("order_download.yaml", "lookups:\n", "lookups:\n  ship_methods: ship_methods.yaml\n")
    (world.client / "ship_methods.yaml").write_text(
        "flat.flat: {carrier: UPS, mode: '92'}\nups.GND: {carrier: UPS, mode: '03'}\n"
    )
    assert world.run("order_download").exit_code == 1  # order 1008 ships by ups.2DA: unmapped, held
    console = start_console(world.state)

    browser_sign_in(page, console.url, "olivia")
    page.click("a.tile:has-text('Error')")  # the overview's count of orders in error
    page.wait_for_selector("h1:has-text('Orders')")
    rows = page.locator("table.ledger tbody tr")
    assert rows.count() == 1
    assert "1008" in rows.first.inner_text()
    rows.first.locator("a", has_text="1008").click()

    page.wait_for_selector("h1:has-text('Order 1008')")
    assert page.inner_text(".reason-text") == "routingInfo: Unmapped Ship Method: ups.2DA"
    assert '"shipping_code": "ups.2DA"' in page.inner_text("section:has(h2:text('Record received')) pre")

    with (world.client / "ship_methods.yaml").open("a") as handle:  # the integrator maps the method
        handle.write("ups.2DA: {carrier: UPS, mode: '02'}\n")
    page.click("button:has-text('Resend')")
    page.wait_for_selector(".flash:has-text('will be sent again')")
    history = page.inner_text("table")
    assert "resend requested by olivia (console)" in history

    report = world.run("order_download")  # the next scheduled run
    assert report.counts["sent"] == 1

    page.reload()
    assert page.inner_text("h1 .badge >> nth=0") == "At WMS"
    wms_id = world.ledger("1008").dest_id
    assert wms_id and page.inner_text(".facts").count(wms_id) == 1
    assert world.wms_order("OC-1008")["routingInfo"]["mode"] == "02"
    assert '"mode": "02"' in page.inner_text("section:has(h2:text('Payload sent')) pre")
