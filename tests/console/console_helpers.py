"""Helpers of the console tests: a console server in a thread, a seeded ledger, and sign-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from cartsync.engine.state import StateStore

SECRET = "console-test-secret-0123456789abcdefghijkl"
PASSWORDS = {"olivia": "olivia-operator-pw", "victor": "victor-viewer-pw"}  # olivia acts, victor reads


def seed_ledger(path: Path) -> None:
    """A small ledger as runs leave it: orders in each status, one held in error, stock, runs."""
    store = StateStore.open(path)
    try:
        run_id = store.start_run("order_download")
        with store.transaction() as db:
            for number, status in enumerate(["at_wms"] * 6 + ["shipped", "confirmed", "new", "canceled"]):
                key = str(1001 + number)
                record = {"order_id": 1001 + number, "firstname": "Ada", "email": f"ada{key}@example.com"}
                store.upsert(
                    db,
                    "order",
                    key,
                    pipeline="order_download",
                    run_id=run_id,
                    event="sending",
                    status="new",
                    record=record,
                    payload={"referenceNum": f"OC-{key}"},
                    in_flight=1,
                )
                store.upsert(
                    db,
                    "order",
                    key,
                    pipeline="order_download",
                    run_id=run_id,
                    event="ok",
                    message=f"WMS-{key}",
                    status=status,
                    dest_id=f"WMS-{key}",
                    in_flight=0,
                )
                store.record_delivery(db, "order_download", "order", key, "hash", f"WMS-{key}")
            store.upsert(
                db,
                "order",
                "1043",
                pipeline="order_download",
                run_id=run_id,
                event="rejected",
                message="routingInfo: Unmapped Ship Method: ups.2DA",
                status="error",
                last_error="routingInfo: Unmapped Ship Method: ups.2DA",
                record={"order_id": 1043, "shipping_code": "ups.2DA"},
            )
        store.finish_run(run_id, "failed", {"sent": 10, "rejected": 1}, "10 sent, 1 rejected")
        stock_run = store.start_run("inventory_sync")
        with store.transaction() as db:
            for sku, quantity, status in (
                ("TENT-002", 24, "done"),
                ("STOVE-100", 0, "done"),
                ("LAMP-9", 5, "not_found"),
            ):
                store.upsert(
                    db,
                    "stock",
                    sku,
                    pipeline="inventory_sync",
                    run_id=stock_run,
                    event="ok",
                    status=status,
                    payload={"sku": sku, "quantity": quantity},
                    last_error="no product with this SKU in the store" if status == "not_found" else None,
                )
                store.record_delivery(db, "inventory_sync", "stock", sku, "hash", None)
        store.finish_run(stock_run, "ok", {"sent": 2, "not_found": 1}, "2 sent, 1 not_found")
    finally:
        store.close()


def sign_in(url: str, name: str, password: str | None = None) -> requests.Session:
    """A requests session signed in through the login form, as a browser would."""
    session = requests.Session()
    token = form_token(session.get(f"{url}/login").text)
    reply = session.post(
        f"{url}/login",
        data={"username": name, "password": password or PASSWORDS[name], "csrf_token": token, "next": "/"},
    )
    assert reply.status_code == 200 and "Overview" in reply.text, reply.text[:500]
    session.console_url = url  # type: ignore[attr-defined]
    return session


def form_token(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def browser_sign_in(page: Any, url: str, name: str) -> None:
    page.goto(f"{url}/")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORDS[name])
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("h1:has-text('Overview')")
