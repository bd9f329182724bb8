"""The sandbox store's operator routes (`/_sandbox/...`): what a test, a chaos run or a person uses
to break the store on purpose and to see what it did. Every reply is JSON; a bad request gets
HTTP 400 `{"error": "..."}` naming what to fix.

Read-only:

- `GET /_sandbox/history[?order_id=N]`: `{"history": [...]}`, the history rows order by order,
  oldest first: order_id, order_status_id, order_status, notify, comment (as stored, i.e.
  HTML-escaped), date_added.
- `GET /_sandbox/mail[?order_id=N]`: `{"mail": [...]}`, the "Order Update" mails sent:
  order_id, order_status, to, from, date, subject, body.
- `GET /_sandbox/faults`: `{"faults": [...], "requests": {route: count}, "fired": [{route,
  kind, count}]}`: the faults still on, the requests per route, the faults that fired.

Switches (POST, a JSON object body):

- `POST /_sandbox/faults`: `{"route", "kind", "times", "after"}` (the next `times` requests
  fail, once `after` more went through) or `{"route", "kind", "probability", "seed"}`;
  optional `delay` (seconds, for `slow`).
- `POST /_sandbox/faults/clear`: every fault off.
- `POST /_sandbox/maintenance` and `POST /_sandbox/php-notices`: `{"on": true}` or
  `{"on": false}`.
- `POST /_sandbox/expire-sessions`: every API session dies, as after an idle hour.
- `POST /_sandbox/orders`: `{"count": N, "status": "Processing"}` places N orders (copies of
  the seed's first order); the reply is `{"order_ids": [...]}`.
- `POST /_sandbox/settings`: `{"cartsync_trusted_proxies": "173.245.48.0/20, 10.0.0.1",
  "cartsync_client_ip_header": "CF-Connecting-IP"}`: store settings the extension reads (null
  removes one); the reply is every such setting.

Fault routes are `history`, `login`, the extension's operations (`version`, `statuses`,
`orders`, `products`, `stock`) or `*`; the kinds are in `handler.py`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cartsync.connectors.opencart.sandbox.store import SandboxStore

PREFIX = "/_sandbox/"
MAX_NEW_ORDERS = 10_000

Payload = dict[str, Any]


def handle(store: SandboxStore, method: str, path: str, query: Mapping[str, str],
           body: bytes) -> tuple[int, Payload]:
    """(HTTP status, JSON reply) of one operator request."""
    action = path.removeprefix(PREFIX).rstrip("/")
    table = _READS if method == "GET" else _ACTIONS
    if action not in table:
        known = ", ".join(f"{verb} {PREFIX}{name}" for verb, names in (("GET", _READS), ("POST", _ACTIONS))
                          for name in names)
        return 404, {"error": f"no operator route {method} {path}; the routes are: {known}"}
    try:
        arguments = query if method == "GET" else _json_object(body)
        return 200, table[action](store, arguments)
    except (KeyError, ValueError, TypeError) as exc:
        return 400, {"error": str(exc.args[0]) if exc.args else type(exc).__name__}


def _json_object(body: bytes) -> Payload:
    try:
        payload = json.loads(body) if body.strip() else {}
    except ValueError:
        raise ValueError("the body must be a JSON object") from None
    if not isinstance(payload, dict):
        raise ValueError("the body must be a JSON object")
    return payload


def _order_id(arguments: Mapping[str, Any]) -> int | None:
    value = arguments.get("order_id")
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"order_id must be a whole number, not {value!r}") from None


def _switch(arguments: Mapping[str, Any]) -> bool:
    if not isinstance(arguments.get("on"), bool):
        raise ValueError('send {"on": true} or {"on": false}')
    return bool(arguments["on"])


def _inject(store: SandboxStore, arguments: Mapping[str, Any]) -> Payload:
    for name in ("route", "kind"):
        if not isinstance(arguments.get(name), str):
            raise ValueError(f"a fault needs {name!r} (text); e.g. "
                             '{"route": "history", "kind": "500-after", "times": 2}')
    optional = {name: _number(arguments, name, kind) for name, kind in _FAULT_NUMBERS.items()
                if arguments.get(name) is not None}
    fault = store.inject_fault(arguments["route"], arguments["kind"], **optional)
    return {"fault": fault.describe()}


_FAULT_NUMBERS: dict[str, type] = {"times": int, "after": int, "probability": float, "seed": int,
                                   "delay": float}


def _number(arguments: Mapping[str, Any], name: str, kind: type) -> Any:
    value = arguments[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, not {value!r}")
    return kind(value)


def _maintenance(store: SandboxStore, arguments: Mapping[str, Any]) -> Payload:
    store.set_maintenance(_switch(arguments))
    return {"maintenance": store.maintenance}


def _notices(store: SandboxStore, arguments: Mapping[str, Any]) -> Payload:
    store.php_notices(_switch(arguments))
    return {"php_notices": store.notices}


def _expire(store: SandboxStore, arguments: Mapping[str, Any]) -> Payload:
    store.expire_tokens()
    return {"expired": True}


def _add_orders(store: SandboxStore, arguments: Mapping[str, Any]) -> Payload:
    count = int(arguments.get("count", 1))
    if not 1 <= count <= MAX_NEW_ORDERS:
        raise ValueError(f"count must be between 1 and {MAX_NEW_ORDERS}, not {count}")
    status = str(arguments.get("status", "Pending"))
    return {"order_ids": [store.add_order(status) for _ in range(count)]}


def _settings(store: SandboxStore, arguments: Mapping[str, Any]) -> Payload:
    for key, value in arguments.items():
        if not key.startswith("cartsync_") or not (value is None or isinstance(value, str)):
            raise ValueError(f"settings are cartsync_... names with text (or null) values, "
                             f"not {key!r}: {value!r}")
        store.set_setting(key, value)
    return {"settings": dict(store.settings)}


_READS: dict[str, Callable[[SandboxStore, Mapping[str, Any]], Payload]] = {
    "history": lambda store, query: {"history": store.history_rows(_order_id(query))},
    "mail": lambda store, query: {"mail": store.mail(_order_id(query))},
    "faults": lambda store, query: store.faults.report(),
}
_ACTIONS: dict[str, Callable[[SandboxStore, Mapping[str, Any]], Payload]] = {
    "faults": _inject,
    "faults/clear": lambda store, body: {"cleared": store.faults.clear()},
    "maintenance": _maintenance,
    "php-notices": _notices,
    "expire-sessions": _expire,
    "orders": _add_orders,
    "settings": _settings,
}
