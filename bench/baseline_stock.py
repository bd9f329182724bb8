"""P3's baseline: one read pass over the WMS's stock, as a hand-written `requests` script.

A token, then every page of GET /inventory/stocksummaries at the API's largest page size (500),
one after another, each reply decoded. Nothing else: this is the least any inventory sync does.

Run: python -m bench.baseline_stock WMS_URL
"""

from __future__ import annotations

import sys

import requests

from bench.world import WMS_ID, WMS_SECRET, WMS_USER

PAGE_SIZE = 500


def main(wms_url: str) -> int:
    session = requests.Session()
    grant = {"grant_type": "client_credentials", "user_login_id": WMS_USER}
    token = session.post(f"{wms_url}/AuthServer/api/Token", auth=(WMS_ID, WMS_SECRET), json=grant).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    rows, number = 0, 1
    while True:
        reply = session.get(f"{wms_url}/inventory/stocksummaries", headers=headers,
                            params={"pgsiz": PAGE_SIZE, "pgnum": number})
        reply.raise_for_status()
        page = reply.json()
        rows += len(page["summaries"])
        if not page["summaries"] or rows >= page["totalResults"]:
            break
        number += 1
    print(f"read {rows} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
