"""Takes the screenshots of docs/console/ (`make screenshots`); skipped in ordinary test runs.

The state is what the example client's pipelines leave against both sandboxes: one order held
for an unmapped ship method, one put on hold by a person, two shipped and confirmed, stock synced;
with what `cartsync serve` records beside it (each pipeline's health, the alert about the held
order) and the next runs of the example client's schedule.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from console_helpers import browser_sign_in

from cartsync.engine.ledger_commands import LedgerCommands
from cartsync.engine.run_file import load_pipeline_file
from cartsync.engine.schedule import load_schedule
from cartsync.engine.state import StateStore
from cartsync.engine.state.monitoring import Alert, Monitoring

DOCS = Path(__file__).resolve().parents[2] / "docs" / "console"
ENV = "CARTSYNC_SCREENSHOTS"


@pytest.mark.skipif(not os.environ.get(ENV), reason=f"{ENV}=1 (make screenshots) re-takes docs/console/*.png")
@pytest.mark.parametrize("world", [("3.0", "sqlite")], ids=["3.0"], indirect=True)
def test_screenshots_of_every_page(world, edit, start_console, page):
    edit("order_download.yaml", "lookups:\n", "lookups:\n  ship_methods: ship_methods.yaml\n")
    (world.client / "ship_methods.yaml").write_text(
        "flat.flat: {carrier: UPS, mode: '92'}\nups.GND: {carrier: UPS, mode: '03'}\n"
    )
    world.run("order_download")
    world.wms.ship("OC-1002", [{"trackingNumber": "1Z999AA10123456784"}], carrier="UPS")
    world.wms.ship("OC-1003", [{"trackingNumber": "794698570123"}], carrier="FDX")
    world.run("shipment_confirmation")
    world.run("inventory_sync")
    store = StateStore.open(world.state)
    LedgerCommands(store, actor="olivia (console)").hold("1014")
    order_run = store.runs("order_download", limit=1)[0]["id"]
    monitoring = Monitoring(store)
    for run in reversed(store.runs(limit=10)):
        monitoring.record_run("example", run["pipeline"], run["status"], connected=True, now=run["ended_at"])
    held = Alert("example", "order_download", "held_records", f"held_records:order_download:run-{order_run}",
                 "email", "ops@example.com", "example: 1 record held by order_download",
                 "order 1008: routingInfo: Unmapped Ship Method: ups.2DA")  # fmt: skip
    monitoring.sent(monitoring.claim(held))
    store.close()
    schedule = load_schedule(world.client)
    now = datetime.now(UTC)
    next_runs = {
        load_pipeline_file(entry.file, schedule.connections).name: entry.next_run(now)
        for entry in schedule.pipelines
    }

    console = start_console(world.state, next_run=next_runs.get, client="example")
    DOCS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{console.url}/login")
    page.screenshot(path=DOCS / "login.png")
    browser_sign_in(page, console.url, "olivia")
    for name, path in (
        ("overview", "/"),
        ("orders", "/orders"),
        ("order-held", "/orders/1008"),
        ("runs", "/runs"),
        ("run", f"/runs/{order_run}"),
        ("stock", "/stock"),
        ("alerts", "/alerts"),
    ):
        page.goto(console.url + path)
        page.screenshot(path=DOCS / f"{name}.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in (("phone-orders", "/orders"), ("phone-order-held", "/orders/1008")):
        page.goto(console.url + path)
        page.screenshot(path=DOCS / f"{name}.png", full_page=True)
