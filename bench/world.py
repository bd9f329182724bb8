"""What the benchmarks share: a client folder pointed at the sandboxes, and the order download
written by hand (the baselines' mapping, checked against the shipped pipeline's).

The sandboxes' generated data agree with each other: the store's products and the WMS's items
are `SKU-00001`, `SKU-00002`, …; the store's orders are in `Processing`, modified one second
apart, the newest now, so a 10-minute overlap window holds the last 600 of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.harness import ROOT

STORE_USER, STORE_KEY = "cartsync", "sandbox-key"
WMS_ID, WMS_SECRET, WMS_USER = "sandbox-client", "sandbox-secret", "17"  # the sandbox CLI's defaults
CUSTOMER_ID, FACILITY_ID = 1077, 1
ORDER_DOWNLOAD = ROOT / "mappings" / "order_download.yaml"
INVENTORY_SYNC = ROOT / "mappings" / "inventory_sync.yaml"
STORE_ROUTE = "extension/module/cartsync/"  # the 3.0 sandbox's extension routes (variant extension3)
ENV = {"BENCH_OC_KEY": STORE_KEY, "BENCH_WMS_ID": WMS_ID, "BENCH_WMS_SECRET": WMS_SECRET}


def client_folder(folder: Path, store_url: str, wms_url: str) -> Path:
    """A connections file for the shipped pipelines; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "connections.yaml"
    path.write_text(
        f"store: {{connector: opencart, store_url: '{store_url}', api_username: {STORE_USER}, "
        "api_key: '${BENCH_OC_KEY}', version: '3.0', extension: extension3}\n"
        f"warehouse: {{connector: wms3pl, base_url: '{wms_url}', client_id: '${{BENCH_WMS_ID}}', "
        f"client_secret: '${{BENCH_WMS_SECRET}}', user_login_id: {WMS_USER}, customer_id: {CUSTOMER_ID}, "
        f"facility_id: {FACILITY_ID}}}\n",
        encoding="utf-8",
    )
    return path


def run_command(pipeline: Path, folder: Path) -> list[str]:
    """`cartsync run pipeline` of a shipped pipeline with the folder's connections and state."""
    from bench.harness import CARTSYNC

    return [*CARTSYNC, "run", "pipeline", str(pipeline), "-c", str(folder / "connections.yaml"),
            "--state", str(folder / "state.db")]


def order_payload(order: dict[str, Any]) -> dict[str, Any]:
    """The shipped order download's mapping of a generated order, written by hand (no aliases,
    options, coupons or filters apply to generated orders)."""
    totals = {row["code"]: row["value"] for row in order["totals"]}
    return {
        "referenceNum": f"OC-{order['order_id']}",
        "poNum": str(order["order_id"]),
        "billingCode": "Prepaid",
        "notes": order["comment"] or "",
        "shipTo": {
            "companyName": order["shipping_company"] or "",
            "name": f"{order['shipping_firstname']} {order['shipping_lastname']}",
            "address1": order["shipping_address_1"],
            "address2": order["shipping_address_2"] or "",
            "city": order["shipping_city"],
            "state": order["shipping_zone_code"] or order["shipping_zone"],
            "zip": order["shipping_postcode"],
            "country": order["shipping_iso_code_2"],
            "phoneNumber": order["telephone"] or "",
            "emailAddress": order["email"] or "",
        },
        "routingInfo": {"carrier": "UPS", "mode": "92"},  # flat.flat in lookups/ship_methods.yaml
        "fulfillInvInfo": {
            "fulfillInvShippingAndHandling": _number(totals.get("shipping", 0)),
            "fulfillInvTax": _number(totals.get("tax", 0)),
            "fulfillInvDiscountCode": "",
            "fulfillInvDiscountAmount": 0,
        },
        "orderItems": [{"itemIdentifier": {"sku": line["sku"] or line["model"]}, "qty": line["quantity"]}
                       for line in order["products"]],
    }


def order_body(order: dict[str, Any]) -> dict[str, Any]:
    """The POST /orders body: the payload with the connection's customer and facility."""
    return {"customerIdentifier": {"id": CUSTOMER_ID}, "facilityIdentifier": {"id": FACILITY_ID},
            **order_payload(order)}


def _number(value: float) -> int | float:
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded
