"""OpenCart 4.1 signed calls: base64(HMAC-SHA1(key, route\\ncall\\nusername\\nhost\\npath\\n
store_id\\nlanguage\\ncurrency\\nmd5(form)\\ntime\\n)), accepted within ±450 seconds of the store's
clock (see `connectors/opencart/schemas/extension.openapi.yaml`).

`path` is `rtrim(dirname(PHP_SELF), '/') + '/'`: `/` for a store at the web root, `/shop/` for
one under `/shop/index.php`. `md5(form)` is the hex md5 of PHP's `http_build_query` of the
form-encoded POST fields as OpenCart cleaned them before checking (`cleaning.py`: HTML-escaped
and trimmed), and `md5("")` for a GET or a JSON body.

The cartsync extension's signed route signs more than 4.1's own API does: two more lines, the
call's `nonce` (a random value never used twice) and the hex sha256 of the raw request body, so
a signed URL found in a log can neither carry another body nor be sent again (the store keeps
the signatures it accepted for as long as their time is inside the window).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus, urlsplit

CLOCK_WINDOW_SECONDS = 450
_DEFAULT_PORTS = {"http": 80, "https": 443}


def store_host_and_path(store_url: str) -> tuple[str, str]:
    """The HTTP Host the client sends, and the directory of index.php, for a store URL."""
    parts = urlsplit(store_url)
    host = parts.hostname or ""
    if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return host, directory_of(parts.path)


def directory_of(path: str) -> str:
    """`dirname(PHP_SELF)` + `/`, for `/index.php`, `/shop/index.php` or a store URL path."""
    if path.endswith(".php"):
        path = path.rsplit("/", 1)[0]
    return path.rstrip("/") + "/"


def http_build_query(fields: Mapping[str, Any]) -> str:
    """PHP's `http_build_query` for flat fields: `urlencode` keeps only letters, digits and `-_.`."""
    pairs = (f"{_php_urlencode(str(name))}={_php_urlencode(str(value))}" for name, value in fields.items())
    return "&".join(pairs)


def _php_urlencode(text: str) -> str:
    return quote_plus(text, safe="").replace("~", "%7E")


def form_digest(fields: Mapping[str, Any] | None) -> str:
    return hashlib.md5(http_build_query(fields or {}).encode()).hexdigest()


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def signature(key: str, *, route: str, call: str, username: str, host: str, path: str,
              store_id: int | str, language: str, currency: str, form_md5: str, time: int | str,
              extension: tuple[str, str] | None = None) -> str:
    """`extension`: (nonce, body sha256) for the cartsync extension's route."""
    values: tuple[object, ...] = (route, call, username, host, path, store_id, language, currency, form_md5,
                                  time)
    if extension is not None:
        values += extension
    string = "".join(f"{value}\n" for value in values)
    digest = hmac.new(key.encode(), string.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()
