"""Routing a request the way the sandbox store's OpenCart version would: maintenance mode, the
stock API (login, order history), the extension's routes, and everything else."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connectors.opencart.sandbox import extension_api
from connectors.opencart.sandbox.auth import NO_PERMISSION
from connectors.opencart.sandbox.replies import (
    Reply,
    contract_error,
    home_page,
    json_reply,
    maintenance_page,
    not_found_page,
    php_fatal_error,
)
from connectors.opencart.signing import directory_of
from connectors.opencart.versions import (
    HISTORY_CALL_41,
    HISTORY_ROUTE,
    LOGIN_ROUTE,
    SIGNED_API_ROUTE,
    SIGNED_EXTENSION_ROUTE,
    TOKEN_PARAM,
    extension_route,
)

if TYPE_CHECKING:
    from connectors.opencart.sandbox.store import SandboxStore

HISTORY_OK = {"success": "Success: You have modified orders!"}
ORDER_NOT_FOUND = {"error": "Warning: Order could not be found!"}
FORBIDDEN_41 = {"error": "You do not have permission to access this page."}
EXTENSION_OPERATIONS = ("version", "statuses", "orders", "products", "stock")


@dataclass
class Request:
    method: str
    route: str
    query: Mapping[str, str]
    form: Mapping[str, str]
    body: Any  # decoded JSON body, if any
    ip: str  # the caller's IP as the store sees it
    host: str  # the Host header
    script_path: str  # the URL path (e.g. /index.php)
    cookie: str | None  # PHPSESSID


def dispatch(store: SandboxStore, request: Request) -> Reply:
    route = request.route
    if store.maintenance and not _exempt_from_maintenance(store.version, route):
        return maintenance_page(store.state.store_name)
    if route == "common/home":
        return home_page(store.state.store_name)
    operation = _extension_operation(store, route, request.query)
    if operation is not None:
        return _extension(store, operation, request)
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


def _exempt_from_maintenance(version: str, route: str) -> bool:
    if version == "2.1":
        return route.split("/", 1)[0] == "api"
    return route.startswith("api")


def _extension_operation(store: SandboxStore, route: str, query: Mapping[str, str]) -> str | None:
    """The extension operation a route names, if the extension is installed and it is one."""
    if not store.extension_installed:
        return None
    if store.variant == "signed":
        return query.get("call", "") if route == SIGNED_EXTENSION_ROUTE else None
    prefix = extension_route(store.variant, "")[0]
    return route[len(prefix):] if route.startswith(prefix) and len(route) > len(prefix) else None


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
    with store.state.lock:
        problem = store.auth.verify_signed(request.query, request.form, host=request.host,
                                           path=directory_of(request.script_path), ip=request.ip)
    if problem is not None:
        return json_reply(FORBIDDEN_41, 403)
    if request.query.get("call") == HISTORY_CALL_41:
        return _history_fields(store, request.form.get("order_id", ""), request.form)
    return json_reply({"error": f"Warning: unknown call {request.query.get('call', '')!r}!"})


def _extension(store: SandboxStore, operation: str, request: Request) -> Reply:
    with store.state.lock:
        denied, api_user = _extension_auth(store, request)
    if denied is not None:
        return denied
    return extension_api.handle(store, operation, request.query, request.body, api_user)


def _extension_auth(store: SandboxStore, request: Request) -> tuple[Reply | None, str]:
    auth = store.auth
    if store.variant == "signed":
        problem = auth.verify_signed(request.query, request.form, host=request.host,
                                     path=directory_of(request.script_path), ip=request.ip)
        if problem is not None:
            return contract_error(*problem), ""
        return None, request.query["username"]
    token = request.query.get(TOKEN_PARAM.get(store.version, "api_token"))
    session = auth.session(token, request.cookie)
    if session is None:
        if store.variant == "api" and store.version == "2.1":
            return _stock_api_denied("2.1", token), ""
        return contract_error("permission", "No API session: log in again (the token is missing, wrong "
                                            "or expired, or the API user is disabled)."), ""
    user = auth.session_user(session)
    if store.variant != "api" and request.ip not in user.ips:
        return contract_error("ip", f"Your IP {request.ip} is not allowed to access this API."), ""
    return None, user.username
