"""P1's baseline: order download as a sequential, hand-written `requests` script.

It makes the HTTP calls cartsync makes for the same job, one after another: log in to the store,
ask the extension's version and the order statuses, read the orders in Processing page by page,
get a WMS token, and POST each order to the WMS. No state, no checks.

Run: python -m bench.baseline_orders STORE_URL WMS_URL PAGE_SIZE
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

import requests

from bench.world import STORE_KEY, STORE_ROUTE, STORE_USER, WMS_ID, WMS_SECRET, WMS_USER, order_body


def main(store_url: str, wms_url: str, page_size: int) -> int:
    store, wms = requests.Session(), requests.Session()
    index = f"{store_url}/index.php"
    token = store.post(index, params={"route": "api/login"},
                       data={"username": STORE_USER, "key": STORE_KEY}).json()["api_token"]

    def call(operation: str, **params: object) -> dict:
        reply = store.get(index, params={"route": STORE_ROUTE + operation, **params, "api_token": token})
        reply.raise_for_status()
        return reply.json()

    call("version")
    processing = next(s["order_status_id"] for s in call("statuses")["statuses"] if s["name"] == "Processing")
    since = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S")
    query: dict[str, object] = {"limit": page_size, "status_ids": processing, "modified_from": since}
    grant = {"grant_type": "client_credentials", "user_login_id": WMS_USER}
    access = wms.post(f"{wms_url}/AuthServer/api/Token", auth=(WMS_ID, WMS_SECRET), json=grant).json()
    headers = {"Authorization": f"Bearer {access['access_token']}", "Accept": "application/hal+json"}
    sent = 0
    while True:
        reply = call("orders", **query)
        for order in reply["orders"]:
            wms.post(f"{wms_url}/orders", json=order_body(order), headers=headers).raise_for_status()
            sent += 1
        if not reply["next"]:
            break
        query.update(reply["next"])
    print(f"sent {sent}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
