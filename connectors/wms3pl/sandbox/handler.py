"""The sandbox WMS's HTTP routes: the WMS API, and `/_sandbox/...` operator routes.

Fault kinds (switched on per route, `METHOD /path` or `*`, through the engine's `FaultPlan`):

| kind | what happens |
|---|---|
| `500` | a plain-text 500 reply; the request was not carried out |
| `500-after` | the request is carried out (an order is stored), then a plain-text 500 reply |
| `429` | a 429 reply with `Retry-After: <retry_after>`; not carried out |
| `slow` | the reply is delayed by `delay` seconds (the request is carried out after the wait) |
| `drop` | the request is carried out (an order is stored), then the connection is closed without a reply |
| `reset` | the connection is closed without a reply and without carrying out the request |
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from cartsync.connectors.wms3pl.sandbox import exceptions, shapes
from cartsync.connectors.wms3pl.sandbox.rql import RqlError
from cartsync.engine.sandbox_server import JsonRequestHandler

if TYPE_CHECKING:
    from cartsync.connectors.wms3pl.sandbox.server import SandboxWms

ORDERS_MAX_PAGE_SIZE = 1000
STOCK_MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100
INTERNAL_ERROR = "Internal Server Error. An unexpected error occurred; it has been logged."
FAULT_KINDS = ("500", "500-after", "429", "slow", "drop", "reset")


class WmsHandler(JsonRequestHandler):
    @property
    def wms(self) -> SandboxWms:
        return self.server.state  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        self.wait_latency()
        path = self.path_only.rstrip("/") or "/"
        route = f"{method} {path}"
        entry: dict[str, Any] = {"method": method, "path": path, "query": self.query,
                                 "accept": self.headers.get("Accept"), "status": None}
        body = self.read_body() if method == "POST" else b""
        self.wms.requests.append(entry)  # received whole: a sender killed mid-body sent nothing
        fault = None if path.startswith("/_sandbox") else self.wms.faults.take(route)
        if fault and fault.kind == "slow":
            time.sleep(fault.delay)
        elif fault and fault.kind == "500":
            entry["status"] = 500
            self.send_text(500, INTERNAL_ERROR)
            return
        elif fault and fault.kind == "429":
            entry["status"] = 429
            self.send_text(429, "Too Many Requests", headers={"Retry-After": str(fault.retry_after)})
            return
        elif fault and fault.kind == "reset":
            entry["status"] = "reset"
            self.close_connection = True
            return
        try:
            status, payload, headers = self._route(method, path, body)
        except exceptions.WmsException as exc:
            status, payload, headers = exc.status, exc.payload, {}
        entry["status"] = status
        if fault and fault.kind == "drop":
            entry["status"] = "dropped"
            self.close_connection = True
            return
        if fault and fault.kind == "500-after":
            entry["status"] = "500-after"
            self.send_text(500, INTERNAL_ERROR)
            return
        if payload is None:
            self.send_body(status, b"", "application/json", headers)
        else:
            self.send_json(status, payload, headers)

    def _route(self, method: str, path: str, body: bytes) -> tuple[int, Any, dict[str, str]]:
        if path.startswith("/_sandbox/") and method == "POST":
            return self.wms.operator_route(path.removeprefix("/_sandbox/"), _json(body))
        if path == "/_sandbox/faults" and method == "GET":
            return 200, self.wms.faults.report(), {}
        if route_is(method, path, "POST", "/AuthServer/api/Token"):
            return self._token(body)
        if not self.wms.tokens.valid(self.headers.get("Authorization")):
            raise exceptions.authorization("The bearer token is missing, invalid or expired.")
        if route_is(method, path, "POST", "/orders"):
            order = self.wms.store.create_order(_json(body))
            order_id = order["readOnly"]["orderId"]
            headers = {"ETag": f'W/"{order_id}-1"', "Location": f"/orders/{order_id}"}
            return 201, shapes.order_resource(order, self._hal), headers
        if route_is(method, path, "GET", "/orders"):
            return self._orders()
        if route_is(method, path, "GET", "/inventory/stocksummaries"):
            return self._stock()
        raise exceptions.not_found(f"No resource at {method} {path}.")

    @property
    def _hal(self) -> bool:
        return shapes.HAL_MEDIA_TYPE in (self.headers.get("Accept") or "")

    def _token(self, body: bytes) -> tuple[int, Any, dict[str, str]]:
        tokens = self.wms.tokens
        if not tokens.credentials_match(self.headers.get("Authorization")):
            return 401, {"error": "invalid_client"}, {"WWW-Authenticate": "Basic"}
        problem = tokens.grant_problem(_json(body))
        if problem:
            return 400, {"error": "invalid_grant", "error_description": problem}, {}
        return 200, tokens.issue(), {}

    def _page(self, maximum: int) -> tuple[int, int]:
        query = self.query
        size = _positive_int(query, "pgsiz", DEFAULT_PAGE_SIZE)
        if size > maximum:
            raise exceptions.query_parameter("pgsiz", "OutOfRange", f"pgsiz must be {maximum} or less.")
        return size, _positive_int(query, "pgnum", 1)

    def _orders(self) -> tuple[int, Any, dict[str, str]]:
        size, number = self._page(ORDERS_MAX_PAGE_SIZE)
        query = self.query
        try:
            total, page = self.wms.store.find_orders(query.get("rql", ""), query.get("sort", ""),
                                                     offset=(number - 1) * size, limit=size)
        except RqlError as exc:
            raise exceptions.query_parameter("rql", "NotParsable", str(exc)) from None
        detail = query.get("detail", "None")
        shown = [shapes.with_detail(order, detail) for order in page]
        links = {"self": f"/orders?{urlencode(query)}"}
        if number * size < total:
            links["next"] = f"/orders?{urlencode({**query, 'pgnum': number + 1})}"
        return 200, shapes.order_list(shown, total, self._hal, links), {}

    def _stock(self) -> tuple[int, Any, dict[str, str]]:
        size, number = self._page(STOCK_MAX_PAGE_SIZE)
        try:
            total, rows = self.wms.store.stock_summaries(self.query.get("rql", ""),
                                                         offset=(number - 1) * size, limit=size)
        except RqlError as exc:
            raise exceptions.query_parameter("rql", "NotParsable", str(exc)) from None
        return 200, {"totalResults": total, "summaries": rows}, {}


def route_is(method: str, path: str, want_method: str, want_path: str) -> bool:
    """Routes match case-insensitively, as the WMS's do."""
    return method == want_method and path.lower() == want_path.lower()


def _positive_int(query: dict[str, str], name: str, default: int) -> int:
    if name not in query:
        return default
    try:
        value = int(query[name])
    except ValueError:
        raise exceptions.query_parameter(name, "NotParsable", f"{name} must be a whole number.") from None
    if value < 1:
        raise exceptions.query_parameter(name, "OutOfRange", f"{name} must be 1 or more.")
    return value


def _json(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        raise exceptions.model_validation("NotParsable", "Body", "The body is not valid JSON.") from None
