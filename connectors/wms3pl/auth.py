"""OAuth2 client credentials for the WMS: get a bearer token, keep it fresh.

`POST /AuthServer/api/Token` with `Authorization: Basic base64(client_id:client_secret)` and the
JSON body `{"grant_type": "client_credentials", "user_login_id": "<id>"}` (plus `tpl` where the
credentials need it). The token is renewed shortly before it expires, and on a 401 (see
`WmsApi`). Tokens and the Basic credentials are registered as secrets, so they are never shown.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from typing import Any

from cartsync.engine.errors import ConnectError
from cartsync.engine.http import HttpClient
from cartsync.engine.secrets import register

TOKEN_PATH = "/AuthServer/api/Token"
RENEW_MARGIN = 60.0  # seconds before expiry at which a token is renewed (at most a tenth of its life)


class TokenManager:
    def __init__(self, http: HttpClient, *, client_id: str, client_secret: str, user_login_id: str,
                 tpl: str | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._http = http
        self._client_id = client_id
        self._user_login_id = user_login_id
        self._tpl = tpl
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0
        self.expires_in: float | None = None
        self.obtained = 0  # tokens obtained so far
        register(client_secret)
        encoded = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        register(encoded)
        self._basic = f"Basic {encoded}"

    def token(self) -> str:
        """A token that is not about to expire."""
        with self._lock:
            if self._token is None or self._clock() >= self._renew_at:
                self._fetch()
            assert self._token is not None
            return self._token

    def renew(self, stale: str) -> str:
        """A new token after `stale` was refused; if another thread already renewed, that one."""
        with self._lock:
            if self._token == stale or self._token is None:
                self._fetch()
            assert self._token is not None
            return self._token

    def _fetch(self) -> None:
        body: dict[str, Any] = {"grant_type": "client_credentials", "user_login_id": self._user_login_id}
        if self._tpl:
            body["tpl"] = self._tpl
        response = self._http.request(
            "POST", TOKEN_PATH, json=body, idempotent=True,
            headers={"Authorization": self._basic, "Content-Type": "application/json; charset=utf-8"},
        )
        if response.status_code != 200:
            raise self._refusal(response.status_code, _error_words(response))
        reply = response.json()
        token = reply.get("access_token")
        if not token:
            raise ConnectError(f"The WMS token server at {self._http.base_url} answered without a token.")
        register(token)
        expires_in = float(reply.get("expires_in") or 1800)
        self._token = token
        self.expires_in = expires_in
        self._renew_at = self._clock() + expires_in - min(RENEW_MARGIN, expires_in / 10)
        self.obtained += 1

    def _refusal(self, status: int, said: str) -> ConnectError:
        if status == 401:
            return ConnectError(
                f"The WMS at {self._http.base_url} rejected client id {self._client_id!r}'s secret "
                f"(HTTP 401{': ' + said if said else ''}).",
                hint="Check WMS_CLIENT_SECRET (the environment variable client_secret names in "
                "connections.yaml) and that the client id is the one the warehouse issued.",
            )
        if status == 400:
            return ConnectError(
                f"The WMS at {self._http.base_url} refused a token for user login id "
                f"{self._user_login_id!r} (HTTP 400: {said or 'bad request'}).",
                hint="Check user_login_id in connections.yaml, and tpl if the warehouse gave you a 3PL key.",
            )
        return ConnectError(
            f"The WMS token server at {self._http.base_url} answered HTTP {status}: {said or 'no details'}",
            hint="Check base_url in connections.yaml (e.g. https://secure-wms.com or https://box.secure-wms.com).",
        )


def _error_words(response: Any) -> str:
    try:
        payload = response.json()
    except ValueError:
        return " ".join(response.text.split())[:200]
    if isinstance(payload, dict):
        return str(payload.get("error_description") or payload.get("error") or payload.get("Hint") or "")
    return ""
