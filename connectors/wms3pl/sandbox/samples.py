"""Sample orders for tests, demos and integrators trying the sandbox."""

from __future__ import annotations

from typing import Any


def order_record(reference_num: str, sku: str = "TENT-002", qty: int = 1) -> dict[str, Any]:
    """A mapped order record as a pipeline hands it to the orders stream."""
    return {
        "referenceNum": reference_num,
        "routingInfo": {"carrier": "UPS", "mode": "92"},
        "shipTo": {"name": "Ann Lee", "address1": "12 Market St", "city": "San Francisco", "state": "CA",
                   "zip": "94105", "country": "US"},
        "orderItems": [{"itemIdentifier": {"sku": sku}, "qty": qty}],
    }


def order_body(reference_num: str, sku: str = "TENT-002", qty: int = 1, *, customer_id: int = 1077,
               facility_id: int = 1) -> dict[str, Any]:
    """The full POST /orders body, for creating orders directly in the sandbox."""
    return {"customerIdentifier": {"id": customer_id}, "facilityIdentifier": {"id": facility_id},
            **order_record(reference_num, sku, qty)}
