"""A plain HTTP client for the extension contract, one login/signing flavour per OpenCart version."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
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
JSON = {"Content-Type": "application/json"}


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

    def auth_params(self, op: str, body: bytes = b"") -> dict[str, str]:
        """Query parameters that route and authenticate one operation (whose raw body is `body`)."""
        store = self.store
        if store.variant == "signed":
            return sign(
                SIGNED_ROUTE,
                op,
                store.username,
                store.key,
                urlsplit(store.url).netloc,
                int(time.time()),
                body=body,
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
        raw = b"" if body is None else json.dumps(body).encode()
        query = list((auth if auth is not None else self.auth_params(op, raw)).items())
        query += list(params.items()) if isinstance(params, dict) else list(params or [])
        url = f"{self.store.url}/index.php"
        if body is None:
            return self.http.get(url, params=query, timeout=30)
        return self.http.post(url, params=query, data=raw, headers=JSON, timeout=30)

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
    body: bytes = b"",
    nonce: str | None = None,
) -> dict[str, str]:
    """The query of a call to the extension's signed route: signed like OpenCart 4.1's own API (no
    form POST fields), plus the nonce and the sha256 of the raw body."""
    nonce = nonce or secrets.token_urlsafe(18)
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
            nonce,
            hashlib.sha256(body).hexdigest(),
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
        "nonce": nonce,
        "signature": signature,
    }
