"""Routing a request the way the sandbox store's OpenCart version would: maintenance mode, the
stock API (login, order history), the extension's routes, and everything else."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cartsync.connectors.opencart.sandbox import extension_api
from cartsync.connectors.opencart.sandbox.auth import NO_PERMISSION
from cartsync.connectors.opencart.sandbox.client_ip import opencart_41_ip
from cartsync.connectors.opencart.sandbox.extension_guard import authenticate, require_signature
from cartsync.connectors.opencart.sandbox.extension_texts import ExtensionError
from cartsync.connectors.opencart.sandbox.replies import (
    Reply,
    home_page,
    json_reply,
    maintenance_page,
    not_found_page,
    php_fatal_error,
)
from cartsync.connectors.opencart.versions import (
    HISTORY_CALL_41,
    HISTORY_ROUTE,
    LOGIN_ROUTE,
    SIGNED_API_ROUTE,
    SIGNED_EXTENSION_ROUTE,
    TOKEN_PARAM,
    extension_route,
)

if TYPE_CHECKING:
    from cartsync.connectors.opencart.sandbox.store import SandboxStore

HISTORY_OK = {"success": "Success: You have modified orders!"}
ORDER_NOT_FOUND = {"error": "Warning: Order could not be found!"}
FORBIDDEN_41 = {"error": "You do not have permission to access this page."}


@dataclass
class Request:
    method: str
    route: str
    query: Mapping[str, str]
    form: Mapping[str, str]
    body: Any  # decoded JSON body, if any
    raw_body: bytes  # the body's bytes, as php://input gives them
    ip: str  # $_SERVER['REMOTE_ADDR'] as PHP code sees it (client_ip.php_remote_addr)
    host: str  # the Host header
    script_path: str  # the URL path (e.g. /index.php)
    cookie: str | None  # PHPSESSID
    headers: Mapping[str, str] = field(default_factory=dict)  # every request header, by lower-case name
    server_remote: str | None = None  # the web server's own REMOTE_ADDR, where it gives PHP one


def dispatch(store: SandboxStore, request: Request) -> Reply:
    route = request.route
    if store.maintenance and not _exempt_from_maintenance(store.version, route):
        return maintenance_page(store.state.store_name)
    if route == "common/home":
        return home_page(store.state.store_name)
    dead_token = _dead_token(store, request)
    if dead_token is not None:
        return _stock_api_denied(store.version, dead_token)
    method = _extension_method(store, route)
    if method is not None:
        return _extension(store, method, request)
    if store.version == "4.1":
        if route == SIGNED_API_ROUTE:
            return _signed_stock_api(store, request)
        return json_reply(FORBIDDEN_41, 403) if route.startswith("api/") else not_found_page()
    if route == LOGIN_ROUTE[store.version]:
        with store.state.lock:
            return store.auth.login(request.form, request.ip)
    if route == HISTORY_ROUTE[store.version]:
        return _history(store, request)
    return not_found_page()


def fault_route(store: SandboxStore, request: Request) -> str:
    """The name a request goes by in the fault plan: `history` (each version's order history
    write), `login`, an extension operation (`version`, `statuses`, `orders`, `products`,
    `stock`), or else its OpenCart route."""
    route = request.route
    method = _extension_method(store, route)
    if method is not None:
        return (request.query.get("call") or method) if method == "index" else method
    if store.version == "4.1":
        signed_history = route == SIGNED_API_ROUTE and request.query.get("call") == HISTORY_CALL_41
        return "history" if signed_history else route
    if route == LOGIN_ROUTE[store.version]:
        return "login"
    return "history" if route == HISTORY_ROUTE[store.version] else route


def _exempt_from_maintenance(version: str, route: str) -> bool:
    if version == "2.1":
        return route.split("/", 1)[0] == "api"
    return route.startswith("api")


def _dead_token(store: SandboxStore, request: Request) -> str | None:
    """The token of an api/ call that OpenCart 2.1 or 4.0 itself fails on, before any controller
    runs, because it has no live session (every other version lets the controller refuse)."""
    if store.version not in ("2.1", "4.0") or not request.route.startswith("api/"):
        return None
    token = request.query.get(TOKEN_PARAM[store.version])
    if not token:
        return None
    with store.state.lock:
        return token if store.auth.session(token, request.cookie) is None else None


def _extension_method(store: SandboxStore, route: str) -> str | None:
    """The method of the extension's controller a route names ("index" for the bare controller
    route), if the extension is installed and the route is the controller's."""
    if not store.extension_installed:
        return None
    if store.variant == "signed":
        controller, separator = SIGNED_EXTENSION_ROUTE, "."
    else:
        prefix = extension_route(store.variant, "")[0]
        controller, separator = prefix[:-1], prefix[-1]
    if route == controller:
        return "index"
    return route[len(controller) + 1:] if route.startswith(controller + separator) else None


def _history_fields(store: SandboxStore, order_id: str, form: Mapping[str, str]) -> Reply:
    try:
        status_id = int(form.get("order_status_id", "0"))
        order_id_int = int(order_id)
    except ValueError:
        return json_reply(ORDER_NOT_FOUND)
    found = store.state.add_history(order_id_int, status_id, form.get("comment", ""),
                                    form.get("notify", "0") in ("1", "true"))
    return json_reply(HISTORY_OK if found else ORDER_NOT_FOUND)


def _history(store: SandboxStore, request: Request) -> Reply:
    token = request.query.get(TOKEN_PARAM[store.version])
    with store.state.lock:
        session = store.auth.session(token, request.cookie)
    if session is None:
        return _stock_api_denied(store.version, token)
    where = request.form if store.version == "4.0" else request.query  # 4.0 takes it in the body
    order_id = where.get("order_id", "")
    return _history_fields(store, order_id, request.form)


def _stock_api_denied(version: str, token: str | None) -> Reply:
    """What each version answers to a stock API call without a live session."""
    if version == "2.1":
        return Reply(500, "", "text/html; charset=utf-8")
    if version == "4.0":
        return not_found_page() if not token else php_fatal_error()
    return json_reply({"error": {"warning": NO_PERMISSION}})


def _signed_stock_api(store: SandboxStore, request: Request) -> Reply:
    try:
        with store.state.lock:
            caller = opencart_41_ip(request.ip, request.headers)
            require_signature(store.auth, request, caller, extension=False)
    except ExtensionError:
        return json_reply(FORBIDDEN_41, 403)
    if request.query.get("call") == HISTORY_CALL_41:
        return _history_fields(store, request.form.get("order_id", ""), request.form)
    return json_reply({"error": f"Warning: unknown call {request.query.get('call', '')!r}!"})


def _extension(store: SandboxStore, method: str, request: Request) -> Reply:
    """A call of the extension's controller: `index` takes the operation from `call`; a name that
    is no route method of the controller is OpenCart's own 'page not found'."""
    if method != "index" and method not in extension_api.OPERATIONS:
        return not_found_page()
    operation = request.query.get("call") if method == "index" else method
    try:
        with store.state.lock:
            api_user = authenticate(store, request)
        return extension_api.handle(store, operation, request.query, request.body, api_user)
    except ExtensionError as error:
        return error.reply()
