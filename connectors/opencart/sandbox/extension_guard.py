"""Who may call the extension, checked as its PHP controllers and `src/cartsync/guard.php` do.

- `api` (2.x, 3.0 routes under api/): OpenCart binds the token to a session before the
  controller runs; the controller only requires that session.
- `extension3`, `extension4`: the controller checks `api_token` against the oc_api_session row
  (alive while used within the hour), the API user's status and its IP list, for the caller's
  IP by the store's trusted-proxy settings (`client_ip.py`).
- `signed` (4.1): the request signature of 4.1's own API plus a nonce and the body's sha256,
  each signature taken once, its clock window and the IP list. OpenCart 4.1's own `api/order`
  route checks its own signature (`require_signature` without the extension's lines).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING

from cartsync.connectors.opencart.sandbox import extension_texts as texts
from cartsync.connectors.opencart.sandbox.auth import ApiUser, StoreAuth
from cartsync.connectors.opencart.sandbox.client_ip import extension_client_ip
from cartsync.connectors.opencart.signing import (
    CLOCK_WINDOW_SECONDS,
    body_digest,
    directory_of,
    form_digest,
    signature,
)
from cartsync.connectors.opencart.versions import TOKEN_PARAM

if TYPE_CHECKING:
    from cartsync.connectors.opencart.sandbox.routes import Request
    from cartsync.connectors.opencart.sandbox.store import SandboxStore

SIGNED_FIELDS = ("route", "call", "username", "store_id", "language", "currency", "time", "signature")
_TIME = re.compile("^[0-9]{1,12}$")
_NONCE = re.compile("^[A-Za-z0-9_-]{16,64}$")


def authenticate(store: SandboxStore, request: Request) -> str:
    """The calling API user's name; raises `ExtensionError` when the call is refused."""
    auth = store.auth
    if store.variant == "api":
        session = auth.session(request.query.get(TOKEN_PARAM[store.version]), request.cookie)
        if session is None:
            raise texts.permission(texts.NO_SESSION)
        return auth.session_user(session).username
    ip = extension_client_ip(store.version, request.ip, request.server_remote, request.headers,
                             store.settings.get("cartsync_trusted_proxies"),
                             store.settings.get("cartsync_client_ip_header"))
    if store.variant == "signed":
        return require_signature(auth, request, ip, extension=True).username
    return _require_token(auth, request.query, ip).username


def _require_ip(user: ApiUser, ip: str | None) -> None:
    if ip is None:
        raise texts.ip_unknown()
    if ip not in user.ips:
        raise texts.ip_not_allowed(ip)


def _require_token(auth: StoreAuth, query: Mapping[str, str], ip: str | None) -> ApiUser:
    token = query.get("api_token")
    if not token:
        raise texts.permission(texts.MISSING_TOKEN)
    row = auth.session_row(token)
    if row is None:
        raise texts.permission(texts.BAD_TOKEN)
    user = auth.session_user(row)
    if not user.enabled:
        raise texts.permission(texts.USER_DISABLED)
    _require_ip(user, ip)
    row.last_used = auth.clock()
    return user


def require_signature(auth: StoreAuth, request: Request, ip: str | None, *, extension: bool) -> ApiUser:
    """The API user of an authentic 4.1 signed call from `ip`; raises `ExtensionError` otherwise.

    `extension`: the cartsync extension's route (guard.php requireSignature), which also signs a
    nonce and the body's sha256 and takes each signature once; else 4.1's own `api/order`."""
    query = request.query
    for name in (*SIGNED_FIELDS, "nonce") if extension else SIGNED_FIELDS:
        if name not in query or (name == "nonce" and not _NONCE.match(query[name])):
            raise texts.permission(texts.MISSING_SIGNED_FIELD.format(name=name))
    user = auth.users.get(query["username"])
    if user is None or not user.enabled:
        raise texts.permission(texts.UNKNOWN_USER)
    if not _TIME.match(query["time"]) or abs(auth.clock() - int(query["time"])) > CLOCK_WINDOW_SECONDS:
        raise texts.permission(texts.OUTSIDE_CLOCK_WINDOW)
    host, path = request.host, directory_of(request.script_path)
    expected = signature(user.key, route=query["route"], call=query["call"], username=user.username,
                         host=host, path=path, store_id=query["store_id"], language=query["language"],
                         currency=query["currency"], form_md5=form_digest(request.form),
                         time=int(query["time"]),
                         extension=(query["nonce"], body_digest(request.raw_body)) if extension else None)
    if not secrets.compare_digest(expected.encode(), query["signature"].encode()):
        raise texts.permission(texts.BAD_SIGNATURE.format(host=host, path=path))
    _require_ip(user, ip)
    if extension and not auth.take_signature(query["signature"], int(query["time"]) + CLOCK_WINDOW_SECONDS):
        raise texts.permission(texts.SIGNATURE_USED)
    return user
