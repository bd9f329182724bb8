"""Many products and orders for a sandbox store, made up on start: benchmarks and load tests.

Products are `SKU-00001`, `SKU-00002`, … (model `MODEL-00001`, …), the names the sandbox WMS
gives its generated items, so both sandboxes agree on them. Orders copy the seed's first order
(its shipping method and totals, shared rather than copied: they are never changed), each with
three lines of generated products and its own customer: a name, email, telephone and address
(the same for shipping and payment) made from the order id, in a handful of US cities. They were
modified one second apart, the newest now. A hundred thousand orders fit in a few hundred MB.
"""

from __future__ import annotations

import time
from typing import Any

from cartsync.connectors.opencart.sandbox.state import DATE_FORMAT, StoreState

LINES_PER_ORDER = 3
PRODUCT_QUANTITY = 1_000_000
FIRST_NAMES = ("Ann", "Bob", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemal",
               "Lucia", "Mateo", "Nora", "Oskar", "Priya", "Quinn")
LAST_NAMES = ("Lee", "Smith", "Garcia", "Novak", "Khan", "Rossi", "Okafor", "Tanaka", "Muller", "Dubois",
              "Silva", "Kowalski", "Haddad")
STREETS = ("Market St", "Mission St", "Valencia St", "Oak Ave", "Pine St", "Castro St", "Geary Blvd")
CITIES = (  # city, postcode, zone, zone code
    ("San Francisco", "94105", "California", "CA"), ("Los Angeles", "90012", "California", "CA"),
    ("Portland", "97205", "Oregon", "OR"), ("Seattle", "98101", "Washington", "WA"),
    ("Austin", "78701", "Texas", "TX"), ("Denver", "80202", "Colorado", "CO"),
)


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
            **shared, **_customer(order_id), "order_id": order_id, "order_status_id": status_id,
            "date_added": stamp, "date_modified": stamp, "products": lines,
            "total": sum(line["total"] for line in lines),
            "history": [{"order_status_id": status_id, "notify": 0, "comment": "", "date_added": stamp}],
        })
    state.add_orders(orders)


def _customer(order_id: int) -> dict[str, Any]:
    """The customer of a generated order: names, contact and one address for shipping and payment."""
    first, last = FIRST_NAMES[order_id % len(FIRST_NAMES)], LAST_NAMES[order_id % len(LAST_NAMES)]
    city, postcode, zone, zone_code = CITIES[order_id % len(CITIES)]
    address = {"firstname": first, "lastname": last, "address_1": f"{order_id % 9973 + 1} "
               f"{STREETS[order_id % len(STREETS)]}", "city": city, "postcode": postcode, "zone": zone,
               "zone_code": zone_code}
    return {
        "firstname": first, "lastname": last, "email": f"{first}.{last}.{order_id}@example.com".lower(),
        "telephone": f"+1 {200 + order_id % 800} 555 {order_id % 10_000:04d}",
        **{f"{use}_{name}": value for use in ("shipping", "payment") for name, value in address.items()},
    }


def _line(product: dict[str, Any], order_product_id: int, *, quantity: int) -> dict[str, Any]:
    return {"order_product_id": order_product_id, "product_id": product["product_id"],
            "name": product["name"], "model": product["model"], "quantity": quantity,
            "price": product["price"], "total": product["price"] * quantity, "tax": 0.0, "reward": 0,
            "options": []}
