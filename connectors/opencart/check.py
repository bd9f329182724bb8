"""`cartsync check` for a store: login, version, maintenance mode, extension, and what the API
user may do (each route is tried once, harmlessly)."""

from __future__ import annotations

from cartsync.connectors.opencart import errors
from cartsync.connectors.opencart.extension import ExtensionClient
from cartsync.connectors.opencart.history import ORDER_NOT_FOUND
from cartsync.connectors.opencart.session import StoreSession
from cartsync.connectors.opencart.statuses import StatusBook
from cartsync.connectors.opencart.versions import HISTORY_CALL_41, HISTORY_ROUTE, SIGNED_API_ROUTE
from cartsync.engine.connector import CheckReport
from cartsync.engine.errors import ConnectError

LOGIN_METHODS = {
    "2.x": "api/login with key; token + session cookie",
    "2.1": "api/login with key; token",
    "2.3": "api/login with key; token + PHPSESSID cookie",
    "3.0": "api/login with username + key; api_token",
    "4.0": "api/account/login with username + key; api_token",
    "4.1": "signed calls (HMAC-SHA1), no login",
}


def check_store(session: StoreSession, extension: ExtensionClient, statuses: StatusBook) -> CheckReport:
    """Raises ConnectError when the store cannot be reached or refuses the API user."""
    report = CheckReport("opencart")
    settings = session.settings
    session.login()
    report.add("store", settings.store_url)
    answered = session.login_answered_as or ""
    report.add("login", f"ok as API user '{settings.api_username}' ({LOGIN_METHODS.get(answered, answered)})")
    maintenance = _maintenance_on(session)
    extension_ok = _check_extension(report, extension)
    report.add("OpenCart version", _version_text(session, extension if extension_ok else None, answered))
    if extension_ok:
        statuses.statuses()  # saved for a later run that finds the store in maintenance mode
    if not maintenance:
        report.add("maintenance mode", "off")
    elif extension_ok:  # the variant in use lives under api/, as order history does
        report.add("maintenance mode", "ON: the storefront is closed; every job still runs (OpenCart's api/ "
                   "routes and the extension's api variant are exempt)", warning=True)
    else:
        report.add("maintenance mode", "ON: order download and inventory sync wait until it is off (the "
                   f"extension's routes answer the 503 page); {_history_in_maintenance(statuses)}", ok=False)
    report.add("API user may", _allowed(session, extension if extension_ok else None))
    return report


def _maintenance_on(session: StoreSession) -> bool:
    response = session.http.request("GET", "index.php", params={"route": "common/home"}, retry_statuses=False)
    return errors.is_maintenance_page(response)


def _history_in_maintenance(statuses: StatusBook) -> str:
    if statuses.configured:
        return "shipment confirmation runs, with status_ids from the connection"
    saved = statuses.saved()
    if saved is not None:
        return f"shipment confirmation runs, with the status ids saved on {saved[1]}"
    return ("shipment confirmation needs status_ids in the connection (no run with the store open saved "
            "them yet)")


def _check_extension(report: CheckReport, extension: ExtensionClient) -> bool:
    try:
        info = extension.version_info()
    except errors.InMaintenance:
        report.add("extension", "blocked by maintenance mode (its routes are outside api/)", ok=False)
        return False
    except errors.ExtensionMissing as exc:
        report.add("extension", f"{exc.message} {exc.hint}", ok=False)
        return False
    report.add("extension", f"cartsync {info.get('extension_version')} answers (variant {extension.variant})")
    return True


def _version_text(session: StoreSession, extension: ExtensionClient | None, answered: str) -> str:
    if extension is not None and extension.info and extension.info.get("opencart_version"):
        release = extension.info["opencart_version"]
        return f"{release} (reported by the extension; the login answered as {answered})"
    if answered == "2.x":
        return "2.x: 2.1 or 2.3 (install the extension to see the exact version)"
    return f"{session.version} (told by the login)"


def _allowed(session: StoreSession, extension: ExtensionClient | None) -> str:
    """Which routes answered. Order history is tried on order 0, which no store has."""
    answered = []
    if extension is not None:
        for operation, params in (("statuses", {}), ("orders", {"limit": 1}), ("products", {"limit": 1})):
            try:
                extension.call(operation, params=params)
                answered.append(f"read {operation}")
            except ConnectError:
                continue
    version = session.route_version
    route = SIGNED_API_ROUTE if version == "4.1" else HISTORY_ROUTE[version]
    data = {"order_id": 0, "order_status_id": 0, "comment": "", "notify": 0}
    response = session.request("POST", route, params={} if version in ("4.0", "4.1") else {"order_id": 0},
                               data=data, call=HISTORY_CALL_41 if version == "4.1" else None)
    if ORDER_NOT_FOUND in response.text:
        answered.append(f"add order history ({route})")
    return ", ".join(answered) or "nothing: no route answered"
