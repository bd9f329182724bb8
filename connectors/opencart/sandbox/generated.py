"""Many products and orders for a sandbox store, made up on start: benchmarks and load tests.

Products are `SKU-00001`, `SKU-00002`, … (model `MODEL-00001`, …), the names the sandbox WMS
gives its generated items, so both sandboxes agree on them. Orders copy the seed's first order
(its addresses, shipping method and totals, shared rather than copied: they are never changed),
each with three lines of generated products and its own customer, and were modified one second
apart, the newest now. Together they keep a hundred thousand orders in a few hundred megabytes.
"""

from __future__ import annotations

import time
from typing import Any

from cartsync.connectors.opencart.sandbox.state import DATE_FORMAT, StoreState

LINES_PER_ORDER = 3
PRODUCT_QUANTITY = 1_000_000


def generated_sku(number: int) -> str:
    return f"SKU-{number:05d}"


def add_products(state: StoreState, count: int) -> list[int]:
    """`count` simple products with large stock; their ids."""
    first = max(state.products, default=0) + 1
    products = [
        {"product_id": first + n, "name": f"Generated product {n + 1}", "model": f"MODEL-{n + 1:05d}",
         "sku": generated_sku(n + 1), "quantity": PRODUCT_QUANTITY, "subtract": 1, "status": 1,
         "price": 10.0, "options": []}
        for n in range(count)
    ]
    state.add_products(products)
    return [product["product_id"] for product in products]


def add_orders(state: StoreState, count: int, status_id: int, product_ids: list[int]) -> None:
    """`count` orders in status `status_id`, each with three lines of `product_ids` (in turn)."""
    if not product_ids:
        raise ValueError("generated orders need generated products (products > 0)")
    template = state.orders[min(state.orders)]
    shared = {key: value for key, value in template.items()
              if key not in ("order_id", "products", "history", "date_added", "date_modified")}
    first = max(state.orders) + 1
    newest = state.now()
    orders = []
    for n in range(count):
        order_id = first + n
        stamp = time.strftime(DATE_FORMAT, time.gmtime(newest - (count - 1 - n)))
        lines = [_line(state.products[product_ids[(n * LINES_PER_ORDER + j) % len(product_ids)]],
                       order_id * 10 + j, quantity=1 + j) for j in range(LINES_PER_ORDER)]
        orders.append({
            **shared, "order_id": order_id, "order_status_id": status_id,
            "firstname": "Customer", "lastname": str(order_id), "email": f"customer{order_id}@example.com",
            "date_added": stamp, "date_modified": stamp, "products": lines,
            "total": sum(line["total"] for line in lines),
            "history": [{"order_status_id": status_id, "notify": 0, "comment": "", "date_added": stamp}],
        })
    state.add_orders(orders)


def _line(product: dict[str, Any], order_product_id: int, *, quantity: int) -> dict[str, Any]:
    return {"order_product_id": order_product_id, "product_id": product["product_id"],
            "name": product["name"], "model": product["model"], "quantity": quantity,
            "price": product["price"], "total": product["price"] * quantity, "tax": 0.0, "reward": 0,
            "options": []}
