"""Helpers of the console tests: a seeded ledger, and sign-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from cartsync.engine.state import RowChange, StateStore

SECRET = "console-test-secret-0123456789abcdefghijkl"
UNMAPPED = "routingInfo: Unmapped Ship Method: ups.2DA"
PASSWORDS = {"olivia": "olivia-operator-pw", "victor": "victor-viewer-pw"}  # olivia acts, victor reads


def seed_ledger(path: Path | str) -> None:
    """A small ledger as runs leave it: orders in each status, one held in error, stock, runs."""
    store = StateStore.open(path)
    try:
        run_id = store.start_run("order_download")
        with store.transaction() as tx:
            for number, status in enumerate(["at_wms"] * 6 + ["shipped", "confirmed", "new", "canceled"]):
                key = str(1001 + number)
                record = {"order_id": 1001 + number, "firstname": "Ada", "email": f"ada{key}@example.com"}
                tx.start_send(
                    "order",
                    key,
                    pipeline="order_download",
                    run_id=run_id,
                    status="new",
                    record=record,
                    payload={"referenceNum": f"OC-{key}"},
                )
                tx.change(
                    RowChange(
                        "order",
                        key,
                        "order_download",
                        "ok",
                        f"WMS-{key}",
                        run_id=run_id,
                        status=status,
                        dest_id=f"WMS-{key}",
                        in_flight=False,
                    )
                )
                tx.record_delivery("order_download", "order", key, "hash", f"WMS-{key}")
            tx.change(
                RowChange(
                    "order",
                    "1043",
                    "order_download",
                    "rejected",
                    UNMAPPED,
                    run_id=run_id,
                    status="error",
                    last_error=UNMAPPED,
                    record={"order_id": 1043, "shipping_code": "ups.2DA"},
                )
            )
        store.finish_run(run_id, "failed", {"sent": 10, "rejected": 1}, "10 sent, 1 rejected")
        stock_run = store.start_run("inventory_sync")
        with store.transaction() as tx:
            for sku, quantity, status in (
                ("TENT-002", 24, "done"),
                ("STOVE-100", 0, "done"),
                ("LAMP-9", 5, "not_found"),
            ):
                unknown = "no product with this SKU in the store" if status == "not_found" else None
                tx.change(
                    RowChange(
                        "stock",
                        sku,
                        "inventory_sync",
                        "ok",
                        unknown,
                        run_id=stock_run,
                        status=status,
                        payload={"sku": sku, "quantity": quantity},
                        last_error=unknown,
                    )
                )
                tx.record_delivery("inventory_sync", "stock", sku, "hash", None)
        store.finish_run(stock_run, "ok", {"sent": 2, "not_found": 1}, "2 sent, 1 not_found")
    finally:
        store.close()  # fmt: skip


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
