"""Order download through the whole engine, against a hand-written client, over real HTTP.

Both sides post the same orders to the sandbox WMS on 127.0.0.1 (one keep-alive session,
four requests at a time). The engine also reads the source file, maps every order with the
pipeline's JMESPath, validates it, and records intent and outcome in the SQLite ledger. The
ratio shows what all of that costs on top of the round trips.
"""

from __future__ import annotations

import base64
import json
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from cartsync.connectors.wms3pl.sandbox.samples import order_body, order_record
from cartsync.connectors.wms3pl.sandbox.server import start_sandbox_wms
from cartsync.engine.runner import Runner
from cartsync.engine.state import StateStore
from cartsync.engine.workspace import prepare

ORDERS = 400
CONCURRENCY = 4
PIPELINE = """\
version: 1
name: bench_orders
source: {connection: inbox, stream: orders}
destination: {connection: warehouse, stream: orders}
key: referenceNum
map:
  referenceNum: referenceNum
  routingInfo: {carrier: routingInfo.carrier, mode: routingInfo.mode}
  shipTo:
    name: shipTo.name
    address1: shipTo.address1
    city: shipTo.city
    state: shipTo.state
    zip: shipTo.zip
    country: shipTo.country
  orderItems: "orderItems[].{itemIdentifier: {sku: itemIdentifier.sku}, qty: qty}"
"""


def hand_written(url: str, references: list[str]) -> float:
    session = requests.Session()
    basic = base64.b64encode(b"sandbox-client:sandbox-secret").decode()
    token = session.post(
        f"{url}/AuthServer/api/Token",
        json={"grant_type": "client_credentials", "user_login_id": "1"},
        headers={"Authorization": f"Basic {basic}"},
    ).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}

    def post(reference: str) -> None:
        session.post(f"{url}/orders", json=order_body(reference), headers=headers).raise_for_status()

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(post, references))
    return time.perf_counter() - started


def engine(url: str, references: list[str], folder: Path) -> float:
    (folder / "in").mkdir()
    with (folder / "in" / "orders.jsonl").open("w") as handle:
        for reference in references:
            handle.write(json.dumps(order_record(reference)) + "\n")
    (folder / "pipeline.yaml").write_text(PIPELINE)
    (folder / "connections.yaml").write_text(
        f"inbox: {{connector: files, folder: {folder / 'in'}}}\n"
        f"warehouse: {{connector: wms3pl, base_url: '{url}', client_id: sandbox-client, "
        f"client_secret: sandbox-secret, user_login_id: 1, customer_id: 1077, facility_id: 1, "
        f"concurrency: {CONCURRENCY}}}\n"
    )
    store = StateStore.open(folder / "state.db")
    prepared = prepare(folder / "pipeline.yaml", None, store)
    started = time.perf_counter()
    report = Runner(prepared.pipeline, prepared.source, prepared.destination, store).run()
    elapsed = time.perf_counter() - started
    assert report.counts == {"sent": len(references)}, report.counts
    return elapsed


def main() -> None:
    with start_sandbox_wms() as wms, tempfile.TemporaryDirectory() as folder:
        baseline = hand_written(wms.url, [f"HW-{n}" for n in range(ORDERS)])
        measured = engine(wms.url, [f"OC-{n}" for n in range(ORDERS)], Path(folder))
    print(f"{'way':<40} {'ms/order':>9} {'x floor':>8}")
    for name, seconds in (
        ("hand-written requests loop", baseline),
        ("cartsync run (files -> wms3pl)", measured),
    ):
        print(f"{name:<40} {seconds / ORDERS * 1000:>9.2f} {seconds / baseline:>8.2f}")


if __name__ == "__main__":
    main()
