"""The sandbox store's data and OpenCart's own rules for it.

What it reproduces (see the OpenCart reference): statuses with store-specific ids, stock taken
when an order enters the stock-taking statuses and put back when it leaves them, option stock
kept apart from product stock, "Order Update" emails on notify, status-0 "missing orders",
4.1 not moving `date_modified` on a status change, and text kept as OpenCart keeps input
(HTML-escaped; `typed` turns what a person types into that), which the extension's views give
back as people see it (`cleaning.plain`).
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Any

from cartsync.connectors.opencart.cleaning import clean, plain
from cartsync.connectors.opencart.sandbox.indexes import OrderIndex, ProductIndex

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


class StoreState:
    """One store's tables, guarded by one lock (the HTTP server is threaded)."""

    def __init__(self, seed: dict[str, Any], version: str) -> None:
        self.version = version
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self.store_name: str = seed["store_name"]
        self.store_email: str = seed["store_email"]
        self.statuses: dict[int, str] = {s["order_status_id"]: s["name"] for s in seed["statuses"]}
        ids_by_name = {name: status_id for status_id, name in self.statuses.items()}
        self.stock_status_ids: set[int] = {ids_by_name[name] for name in seed["stock_statuses"]}
        self.countries = {c["country_id"]: c for c in seed["countries"]}
        self.zones = {z["zone_id"]: z for z in seed["zones"]}
        self.products: dict[int, dict[str, Any]] = {
            p["product_id"]: p for p in copy.deepcopy(seed["products"])}
        self.orders: dict[int, dict[str, Any]] = {o["order_id"]: o for o in copy.deepcopy(seed["orders"])}
        self.emails: list[dict[str, Any]] = []
        self.history_listeners: list[Callable[[int, int], None]] = []  # (order_id, status_id)
        self.order_index = OrderIndex()
        for order in self.orders.values():
            self.order_index.put(order["order_id"], self.modified(order))
        self.product_index = ProductIndex(self.products.values())

    # -- time -------------------------------------------------------------------------------

    def now(self) -> float:
        return time.time() + self.clock_offset

    def stamp(self) -> str:
        """The store database's `NOW()`, second resolution."""
        return time.strftime(DATE_FORMAT, time.gmtime(self.now()))

    # -- order history (OpenCart's addOrderHistory) -------------------------------------------

    def add_history(self, order_id: int, status_id: int, comment: str = "", notify: bool = False) -> bool:
        """Add a history row and apply its effects. False when the order does not exist."""
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                return False
            was_taking = order["order_status_id"] in self.stock_status_ids
            now_taking = status_id in self.stock_status_ids
            if now_taking and not was_taking:
                self._move_stock(order, -1)
            elif was_taking and not now_taking:
                self._move_stock(order, +1)
            stamp = self.stamp()
            order["order_status_id"] = status_id
            order["history"].append({"order_status_id": status_id, "notify": int(notify),
                                     "comment": comment, "date_added": stamp})
            if self.version != "4.1":
                order["date_modified"] = stamp
            self.order_index.put(order_id, self.modified(order))
            if notify:
                self._send_update_email(order, status_id, comment, stamp)
            for listener in self.history_listeners:
                listener(order_id, status_id)
            return True

    def _move_stock(self, order: dict[str, Any], sign: int) -> None:
        for line in order["products"]:
            product = self.products.get(line["product_id"])
            if product is None:  # deleted since the order was placed
                continue
            if product["subtract"]:
                product["quantity"] += sign * line["quantity"]
            for chosen in line["options"]:
                value = self._option_value(product, chosen.get("product_option_value_id"))
                if value is not None and value["subtract"]:
                    value["quantity"] += sign * line["quantity"]

    @staticmethod
    def _option_value(product: dict[str, Any], value_id: int | None) -> dict[str, Any] | None:
        for option in product["options"]:
            for value in option["values"]:
                if value["product_option_value_id"] == value_id:
                    return value
        return None

    def _send_update_email(self, order: dict[str, Any], status_id: int, comment: str, stamp: str) -> None:
        status = self.statuses.get(status_id, "")
        body = (f"Order ID: {order['order_id']}\nDate Added: {order['date_added'][:10]}\n\n"
                f"Your order has been updated to the following status:\n\n{status}\n\n")
        if comment:
            body += f"The comments for your order are:\n\n{comment}\n\n"
        body += "Please reply to this e-mail if you have any questions."
        self.emails.append({"order_id": order["order_id"], "order_status": status,
                            "to": order["email"], "from": self.store_email, "date": stamp,
                            "subject": f"{self.store_name} - Order Update {order['order_id']}", "body": body})

    # -- operator actions used by tests and demos ------------------------------------------------

    def status_id(self, name: str) -> int:
        for status_id, status_name in self.statuses.items():
            if status_name == name:
                return status_id
        raise KeyError(f"no order status named {name!r}; the store has {sorted(self.statuses.values())}")

    def typed(self, value: Any) -> Any:
        """What a person typed into the storefront or the admin, as OpenCart stores it: every
        text HTML-escaped (and trimmed from 3.0), in dicts and lists too."""
        if isinstance(value, str):
            return clean(value, self.version)
        if isinstance(value, dict):
            return {key: self.typed(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.typed(item) for item in value]
        return value

    def add_order(self, template_id: int, status_id: int, fields: dict[str, Any]) -> int:
        """A new order copied from an existing one, placed now and given `status_id`; `fields`
        are what the shopper typed at checkout."""
        with self.lock:
            order = copy.deepcopy(self.orders[template_id])
            order_id = max(self.orders) + 1
            stamp = self.stamp()
            order.update({"order_id": order_id, "order_status_id": 0, "date_added": stamp,
                          "date_modified": stamp, "history": []})
            order.update(self.typed(fields))
            self.add_orders([order])
            if status_id:
                self.add_history(order_id, status_id)
            return order_id

    def touch(self, order_id: int) -> None:
        """An admin edit that saves the order: only `date_modified` moves."""
        with self.lock:
            order = self.orders[order_id]
            order["date_modified"] = self.stamp()
            self.order_index.put(order_id, self.modified(order))

    def add_orders(self, orders: list[dict[str, Any]]) -> None:
        """Store orders as they are (new ids), indexed."""
        with self.lock:
            for order in orders:
                self.orders[order["order_id"]] = order
                self.order_index.put(order["order_id"], self.modified(order))

    def add_products(self, products: list[dict[str, Any]]) -> None:
        """Store products as they are (new ids), indexed."""
        with self.lock:
            for product in products:
                self.products[product["product_id"]] = product
                self.product_index.add(product)

    def products_with(self, field: str, value: str) -> list[dict[str, Any]]:
        """The products whose `field` (sku or model) is `value`, by id."""
        return [self.products[product_id] for product_id in self.product_index.having(field, value)]

    # -- the extension's view of the tables ------------------------------------------------------

    def modified(self, order: dict[str, Any]) -> str:
        if self.version == "4.1" and order["history"]:
            return max(entry["date_added"] for entry in order["history"])
        return order["date_modified"]

    def order_view(self, order: dict[str, Any]) -> dict[str, Any]:
        """An order as the extension's `orders` route returns it (the contract's Order): its text
        as people see it."""
        return as_seen(self._stored_order_view(order))

    def _stored_order_view(self, order: dict[str, Any]) -> dict[str, Any]:
        view = {key: value for key, value in order.items()
                if key not in ("shipping_address", "payment_address", "products", "history")}
        view["order_status"] = self.statuses.get(order["order_status_id"], "")
        view["modified"] = self.modified(order)
        for prefix in ("shipping", "payment"):
            view.update(self._address_view(prefix, order[f"{prefix}_address"]))
        view["products"] = [self._line_view(line) for line in order["products"]]
        view["history"] = [dict(entry, order_status=self.statuses.get(entry["order_status_id"]))
                           for entry in order["history"]]
        return view

    def _address_view(self, prefix: str, address: dict[str, Any]) -> dict[str, Any]:
        country = self.countries.get(address["country_id"], {})
        zone = self.zones.get(address["zone_id"], {})
        view = {f"{prefix}_{key}": value for key, value in address.items()}
        view.update({f"{prefix}_country": country.get("name", ""),
                     f"{prefix}_iso_code_2": country.get("iso_code_2"),
                     f"{prefix}_iso_code_3": country.get("iso_code_3"),
                     f"{prefix}_zone": zone.get("name", ""), f"{prefix}_zone_code": zone.get("code")})
        return view

    def _line_view(self, line: dict[str, Any]) -> dict[str, Any]:
        product = self.products.get(line["product_id"])
        view = {key: value for key, value in line.items() if key != "reward"}
        view["sku"] = product["sku"] if product else None
        return view

    def orders_page(self, *, status_ids: set[int] | None, modified_from: str | None,
                    after: tuple[str, int] | None, store_id: int | None, order_ids: set[int] | None,
                    limit: int) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        with self.lock:
            if order_ids is not None:  # a lookup: only these orders, in key order
                walk = iter(sorted(key for key in map(self.order_index.key, order_ids) if key is not None
                                   and (modified_from is None or key[0] >= modified_from)
                                   and (after is None or key > after)))
            else:
                walk = self.order_index.walk(modified_from, after)
            rows: list[tuple[tuple[str, int], dict[str, Any]]] = []
            for key in walk:
                order = self.orders[key[1]]
                if order["order_status_id"] == 0:
                    continue
                if status_ids is not None and order["order_status_id"] not in status_ids:
                    continue
                if store_id is not None and order["store_id"] != store_id:
                    continue
                rows.append((key, order))
                if len(rows) > limit:
                    break
            page = [self.order_view(order) for _, order in rows[:limit]]
            more = len(rows) > limit
            last = rows[limit - 1][0] if more else None
        return page, ({"after_modified": last[0], "after_id": last[1]} if last else None)

    def products_page(self, after_id: int, limit: int) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        with self.lock:
            ids = self.product_index.after(after_id, limit + 1)
            page = [copy.deepcopy(self.products[pid]) for pid in ids[:limit]]
        for product in page:
            product.pop("price", None)
        more = len(ids) > limit
        return as_seen(page), ({"after_id": ids[limit - 1]} if more else None)


def as_seen(view: Any) -> Any:
    """A view of stored rows with every text as people see it (`cleaning.plain`)."""
    if isinstance(view, str):
        return plain(view)
    if isinstance(view, dict):
        return {key: as_seen(item) for key, item in view.items()}
    if isinstance(view, list):
        return [as_seen(item) for item in view]
    return view
