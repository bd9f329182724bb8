"""A plain HTTP client for the extension contract, one login/signing flavour per OpenCart version."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import urlsplit

import requests
from realstore_stores import RealStore

ROUTE_PREFIX = {
    "api": "api/cartsync/",
    "extension3": "extension/module/cartsync/",
    "extension4": "extension/cartsync/api/cartsync.",
}
SIGNED_ROUTE = "extension/cartsync/api/cartsync"


class ContractClient:
    """Calls one store's cartsync routes; logs in once (token variants) and signs each call (4.1)."""

    def __init__(self, store: RealStore) -> None:
        self.store = store
        self.http = requests.Session()
        self.token: str | None = None

    def login(self) -> str:
        store = self.store
        if store.version in ("2.1", "2.3"):
            route, fields, name = "api/login", {"key": store.key, "username": store.username}, "token"
        elif store.version == "3.0":
            route, fields, name = "api/login", {"username": store.username, "key": store.key}, "api_token"
        else:
            route, fields, name = (
                "api/account/login",
                {"username": store.username, "key": store.key},
                "api_token",
            )
        reply = self.http.post(f"{store.url}/index.php", params={"route": route}, data=fields, timeout=30)
        token = reply.json()[name]
        self.token = token
        return token

    def auth_params(self, op: str) -> dict[str, str]:
        """Query parameters that route and authenticate one operation."""
        store = self.store
        if store.variant == "signed":
            return sign(
                SIGNED_ROUTE, op, store.username, store.key, urlsplit(store.url).netloc, int(time.time())
            )
        if self.token is None:
            self.login()
        token_name = "token" if store.version in ("2.1", "2.3") else "api_token"
        return {"route": ROUTE_PREFIX[store.variant] + op, token_name: self.token or ""}

    def call(
        self,
        op: str,
        params: dict | list | None = None,
        body: object = None,
        auth: dict[str, str] | None = None,
    ) -> requests.Response:
        """GET (or POST with a JSON body) one operation; params may be a list of pairs to repeat keys."""
        query = list((auth if auth is not None else self.auth_params(op)).items())
        query += list(params.items()) if isinstance(params, dict) else list(params or [])
        url = f"{self.store.url}/index.php"
        if body is None:
            return self.http.get(url, params=query, timeout=30)
        return self.http.post(url, params=query, json=body, timeout=30)

    def ok(self, op: str, params: dict | list | None = None, body: object = None) -> dict:
        reply = self.call(op, params, body)
        assert reply.status_code == 200, f"{op}: HTTP {reply.status_code} {reply.text[:300]}"
        return reply.json()


def sign(
    route: str,
    call: str,
    username: str,
    key: str,
    host: str,
    now: int,
    store_id: int = 0,
    language: str = "en-gb",
    currency: str = "USD",
) -> dict[str, str]:
    """The query of a call signed like OpenCart 4.1's own API (no form POST fields)."""
    text = "".join(
        f"{part}\n"
        for part in (
            route,
            call,
            username,
            host,
            "/",
            store_id,
            language,
            currency,
            hashlib.md5(b"").hexdigest(),
            now,
        )
    )
    signature = base64.b64encode(hmac.new(key.encode(), text.encode(), hashlib.sha1).digest()).decode()
    return {
        "route": route,
        "call": call,
        "username": username,
        "store_id": str(store_id),
        "language": language,
        "currency": currency,
        "time": str(now),
        "signature": signature,
    }
