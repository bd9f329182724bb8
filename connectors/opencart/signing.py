"""OpenCart 4.1 signed calls: base64(HMAC-SHA1(key, route\\ncall\\nusername\\nhost\\npath\\n
store_id\\nlanguage\\ncurrency\\ntime\\n)), accepted within ±450 seconds of the store's clock.

`path` is `dirname(PHP_SELF)` with one trailing slash: `/` for a store at the web root,
`/shop/` for one under `/shop/index.php`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

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


def signature(key: str, *, route: str, call: str, username: str, host: str, path: str,
              store_id: int | str, language: str, currency: str, time: int | str) -> str:
    values = (route, call, username, host, path, store_id, language, currency, time)
    string = "".join(f"{value}\n" for value in values)
    digest = hmac.new(key.encode(), string.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()
