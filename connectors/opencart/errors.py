"""Every way an OpenCart store can fail, turned into a message its owner can act on.

Each function returns a `ConnectError` (exit 3) whose message says what the store answered
and whose hint says where in the admin (or the server) to fix it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import requests

from cartsync.engine.errors import ConnectError

API_USERS = "System > Users > API"
_IP_IN_TEXT = re.compile(r"IP (\S+) is not allowed")
_PHP_MESSAGE = re.compile(
    r"<b>(Notice|Warning|Deprecated|Fatal error)</b>|^(PHP )?(Notice|Warning|Deprecated):", re.MULTILINE)
_OPENCART_ERROR = re.compile(r"</b>: in <b>[^<]*</b> on line <b>\d+</b>")
NO_API_PERMISSION = "do not have permission to access the API"
FORBIDDEN_41 = "You do not have permission to access this page"  # 4.1's refusal of any api/ call
SIGNATURE_USED = "This signed request was already used"  # the extension refuses a replay (4.1)


class InMaintenance(ConnectError):
    """The store answered its maintenance page: only api/ routes work."""


class ExtensionMissing(ConnectError):
    """The cartsync extension's routes are not there."""


def is_maintenance_page(response: requests.Response) -> bool:
    return response.status_code == 503 and "maintenance" in response.text.lower()


def is_html_not_found(response: requests.Response) -> bool:
    return response.status_code == 404 and "json" not in response.headers.get("Content-Type", "")


def is_php_error(response: requests.Response) -> bool:
    """A reply that is PHP's fatal error text, or OpenCart 4's own error display
    (`<b>message</b>: in <b>file</b> on line <b>n</b>`), and no JSON."""
    text = response.text
    shown = "Fatal error" in text or _OPENCART_ERROR.search(text) is not None
    return shown and json_or_none(text) is None


def forbidden_41(response: requests.Response) -> bool:
    return response.status_code == 403 and FORBIDDEN_41 in response.text


def signature_used(response: requests.Response) -> bool:
    """The extension's refusal of a signed request it has taken before."""
    return response.status_code == 403 and SIGNATURE_USED in error_text(json_or_none(response.text))


def json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def decode(response: requests.Response, *, store_url: str, route: str) -> Any:
    """The JSON of a reply; a clear ConnectError when the store sent something else."""
    if is_maintenance_page(response):
        raise maintenance(store_url, route)
    try:
        return json.loads(response.text)
    except ValueError:
        pass
    text = response.text
    if _PHP_MESSAGE.search(text) and "{" in text:
        raise php_notices(store_url, route, text)
    raise not_json(store_url, route, response)


def error_text(payload: Any) -> str:
    """The store's own error words, from `{"error": "..."}` / `{"error": {"key": "..."}}`."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        if "message" in error:
            return str(error["message"])
        return " ".join(str(value) for value in error.values())
    return str(error) if error else ""


def snippet(text: str, limit: int = 160) -> str:
    text = re.sub(r"<[^>]+>", "", text)
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "")


def bad_key(username: str, version: str, store_answer: str) -> ConnectError:
    if store_answer == "[]":
        why = (f" OpenCart {version} answers a bare [] for a wrong key, a wrong username, a disabled API "
               f"user, or a login with no fields.")
    elif version.startswith("2"):
        why = " OpenCart 2.x finds the API user by its key alone."
    else:
        why = ""
    return ConnectError(
        f"OpenCart rejected the API key for user '{username}' — {API_USERS}: check the key "
        f"(the store answered {store_answer}).{why}",
        hint=f"In the store's admin open {API_USERS}, edit '{username}': copy its API Key into "
        f"api_key exactly, set Status to Enabled, and check that api_username is that user's name.",
    )


def ip_not_allowed(username: str, version: str, store_answer: str) -> ConnectError:
    match = _IP_IN_TEXT.search(store_answer)
    ip = match.group(1) if match else "of this machine"
    where = f"{API_USERS} > edit '{username}' > IP Addresses"
    if version == "2.1":
        where = (f"the IP Addresses of the store's default API user (OpenCart 2.1 checks that user's list, "
                 f"not the list of '{username}'): System > Settings > edit the store > Option > API User "
                 f"shows which user it is, then {API_USERS} > edit it > IP Addresses")
    return ConnectError(
        f"OpenCart refused the IP address {ip}: it is not on the API user's IP list "
        f"(the store answered: {store_answer}).",
        hint=f"Add {ip} in {where}. The store sees the address a request arrives from: behind a proxy "
        f"or CDN such as Cloudflare that is the proxy's address, and behind NAT it is this network's "
        f"outbound public IP — add the address named here, which is the one the store saw.",
    )


MAINTENANCE_SWITCH = "System > Settings > edit the store > Server > Maintenance Mode"
API_VARIANT_NOTE = ("On OpenCart 3.0 the extension's manual-upload api variant keeps working in maintenance "
                    "mode (docs/extension-install.md).")


def maintenance(store_url: str, route: str) -> ConnectError:
    return InMaintenance(
        f"The store at {store_url} is in maintenance mode: it answered {route} with its 503 "
        f"'Maintenance' page.",
        hint="While maintenance mode is on, OpenCart answers every route outside api/ with that page, so "
        "the cartsync extension's routes on this store (orders, products, stock) cannot run: order download "
        "and inventory sync wait until it is off. What still works: the API login, order history (shipment "
        "confirmation) through OpenCart's own API, with the status ids an earlier run saved or status_ids "
        f"in the connection. Turn it off in {MAINTENANCE_SWITCH}, or run again later. {API_VARIANT_NOTE}",
    )


def statuses_blocked(blocked: ConnectError, wanted: str, cache: object) -> ConnectError:
    """Maintenance mode blocks the extension, and no status ids were saved or configured."""
    store = blocked.message.split(" is in maintenance mode", 1)[0]
    name = wanted if re.fullmatch(r"[A-Za-z0-9_-]+", wanted) else json.dumps(wanted)
    saved = f" (in {cache})" if cache else " (status_cache is off)"
    return InMaintenance(
        f"{store} is in maintenance mode, and the id of the order status '{wanted}' cannot be read: the "
        f"cartsync extension's routes answer its 503 page, and no earlier run saved the status ids{saved}.",
        hint=f"Order history works in maintenance mode once it knows the id: add to the connection: "
        f"status_ids: {{{name}: ID}}, where ID is the number after order_status_id= in the address of that "
        f"status's edit page (System > Localisation > Order Statuses). Or turn maintenance mode off "
        f"({MAINTENANCE_SWITCH}) for one run: every run with the store open saves the ids for later. "
        f"{API_VARIANT_NOTE}",
    )


def php_notices(store_url: str, route: str, text: str) -> ConnectError:
    return ConnectError(
        f"The store at {store_url} printed PHP messages before its JSON reply to {route}: "
        f"\"{snippet(text)}\"",
        hint="Set Display Errors = No in System > Settings > edit the store > Server, and "
        "display_errors=Off in the server's PHP configuration (php.ini). OpenCart 2.x on PHP 8 "
        "prints notices on every request otherwise, and no API client can read the replies.",
    )


def not_json(store_url: str, route: str, response: requests.Response) -> ConnectError:
    return ConnectError(
        f"The store at {store_url} answered {route} with HTTP {response.status_code} and no JSON: "
        f"\"{snippet(response.text) or '(empty)'}\"",
        hint="Check the store's PHP error log for this request.",
    )


def not_opencart(store_url: str, detail: str) -> ConnectError:
    admin = store_url.rstrip("/").endswith("/admin")
    hint = ("store_url points at the admin; use the shop's own address (drop /admin)." if admin else
            "store_url must be the shop's own address, the folder that holds its index.php "
            "(e.g. https://shop.example.com or https://example.com/shop), not the admin. "
            f"Opening {store_url}/index.php?route=api/login in a browser should show a short JSON reply.")
    return ConnectError(f"No OpenCart store answers at {store_url}: {detail}.", hint=hint)


INSTALL_HINTS = {
    "2": "Copy the extension's upload/ folder into the store (Extensions > Extension Installer, "
         "or by FTP): it adds catalog/controller/api/cartsync.php.",
    "3": "Upload cartsync.ocmod.zip in Extensions > Installer, then enable it in Extensions > "
         "Extensions > Modules > cartsync > Install. (Or upload the api/ variant by hand, and set "
         "extension: api.)",
    "4": "Upload cartsync.ocmod.zip in Extensions > Installer and press Install, then enable it in "
         "Extensions > Extensions > Modules > cartsync > Install.",
}


def extension_missing(version: str, routes: list[str]) -> ConnectError:
    return ExtensionMissing(
        f"The cartsync extension is not installed on this OpenCart {version} store: "
        f"{' and '.join(routes)} answered 'page not found'.",
        hint=INSTALL_HINTS.get(version[:1], INSTALL_HINTS["3"])
        + " Orders, products and stock need it; order history works without it.",
    )


def extension_too_old(found: str, needed: str) -> ConnectError:
    return ExtensionMissing(
        f"The cartsync extension on the store is version {found}; this cartsync needs {needed} or later.",
        hint="Build the packages of this cartsync (make extension) and install the one for the store's "
        "version again, as docs/extension-install.md says (upgrading over the installed one is fine).",
    )


def extension_outdated(operation: str, store_answer: str) -> ConnectError:
    return ConnectError(
        f"The cartsync extension on the store does not know the operation '{operation}' "
        f"({store_answer}).",
        hint="Install the cartsync extension version that matches this cartsync.",
    )


def call_refused(username: str, route: str, store_answer: str) -> ConnectError:
    return ConnectError(
        f"OpenCart accepted a new login of API user '{username}' but still refused {route} "
        f"(the store answered: {store_answer}).",
        hint=f"Check in {API_USERS} that '{username}' is Enabled and that this machine's IP is in its IP "
        f"Addresses; a store whose sessions die at once may have a full or read-only session folder.",
    )


def tls_problem(store_url: str, original: ConnectError) -> ConnectError:
    return ConnectError(
        f"{original.message} (store {store_url}).",
        hint="The store's HTTPS certificate is expired, self-signed, or issued for another name. "
        "Renew or fix it on the web server (or its proxy, e.g. Cloudflare's origin certificate), or "
        "correct store_url to the name on the certificate. verify_tls: false is for test stores only.",
    )
