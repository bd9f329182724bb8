"""The cartsync extension's routes as the sandbox store serves them.

This follows `schemas/opencart/extension.openapi.yaml`: the same operations, parameters,
replies and error codes as the PHP extension.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from connectors.opencart.sandbox.replies import Reply, contract_error, json_reply
from connectors.opencart.versions import RELEASES

if TYPE_CHECKING:
    from connectors.opencart.sandbox.store import SandboxStore

EXTENSION_VERSION = "1.0.0"
_ID_LIST = re.compile(r"^[0-9]+(,[0-9]+)*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


class InvalidParameter(Exception):
    pass


def handle(store: SandboxStore, operation: str, query: Mapping[str, str], body: Any, api_user: str) -> Reply:
    for name in query:
        if name.endswith("[]"):
            return contract_error("invalid_parameter", f"{name[:-2]} must be a single value, not an array")
    try:
        if operation == "version":
            return json_reply({"extension_version": EXTENSION_VERSION,
                               "opencart_version": RELEASES[store.version],
                               "maintenance": store.maintenance, "variant": store.variant,
                               "api_user": api_user})
        if operation == "statuses":
            statuses = sorted(store.state.statuses.items())
            return json_reply({"statuses": [{"order_status_id": i, "name": n} for i, n in statuses]})
        if operation == "orders":
            return _orders(store, query)
        if operation == "products":
            products, following = store.state.products_page(_int(query, "after_id", 0),
                                                            min(_int(query, "limit", 100), 500))
            return json_reply({"products": products, "next": following})
        if operation == "stock":
            return _stock(store, body)
    except InvalidParameter as exc:
        return contract_error("invalid_parameter", str(exc))
    return contract_error("not_found", f"the cartsync extension has no operation {operation!r}")


def _orders(store: SandboxStore, query: Mapping[str, str]) -> Reply:
    after = None
    if "after_modified" in query or "after_id" in query:
        after = (_date(query, "after_modified") or "", _int(query, "after_id", 0))
    store_id = _int(query, "filter_store_id", -1)  # store_id is a signature field on 4.1
    orders, following = store.state.orders_page(
        status_ids=_ids(query, "status_ids"), modified_from=_date(query, "modified_from"), after=after,
        store_id=None if store_id < 0 else store_id, order_ids=_ids(query, "order_ids"),
        limit=min(_int(query, "limit", 50), 200))
    return json_reply({"orders": orders, "next": following})


def _stock(store: SandboxStore, body: Any) -> Reply:
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise InvalidParameter("items must be a list")
    if len(items) > 500:
        raise InvalidParameter("items: at most 500 per call")
    results = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("quantity"), int) or not (
                item.get("sku") or item.get("model")):
            results.append({"status": "invalid",
                            "message": "each item needs sku or model, and an integer quantity"})
            continue
        results.append(store.state.set_stock(item))
    return json_reply({"results": results})


def _int(query: Mapping[str, str], name: str, default: int) -> int:
    if name not in query:
        return default
    value = query[name]
    if not value.isdigit() or (name == "limit" and int(value) < 1):
        raise InvalidParameter(f"{name} must be a non-negative integer, not {value!r}")
    return int(value)


def _ids(query: Mapping[str, str], name: str) -> set[int] | None:
    if name not in query:
        return None
    if not _ID_LIST.match(query[name]):
        raise InvalidParameter(f"{name} must be a comma-separated list of ids, not {query[name]!r}")
    return {int(part) for part in query[name].split(",")}


def _date(query: Mapping[str, str], name: str) -> str | None:
    if name not in query:
        return None
    if not _DATE.match(query[name]):
        raise InvalidParameter(f"{name} must be YYYY-MM-DD HH:MM:SS, not {query[name]!r}")
    return query[name]
