"""Authenticated calls to the WMS: bearer token on every request, one renewal on a 401."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from cartsync.connectors.wms3pl.auth import TokenManager
from cartsync.connectors.wms3pl.errors import request_failed
from cartsync.engine.errors import ConnectError
from cartsync.engine.http import HttpClient


class WmsApi:
    def __init__(self, http: HttpClient, tokens: TokenManager, accept: str) -> None:
        self.http = http
        self.tokens = tokens
        self.accept = accept

    def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                json: Any = None) -> requests.Response:
        """Send with a fresh token; on a 401, renew the token once and repeat the call.

        A 401 means the request was not carried out, so repeating a POST is safe.
        """
        token = self.tokens.token()
        response = self.http.request(method, path, params=params, json=json, headers=self._headers(token))
        if response.status_code != 401:
            return response
        token = self.tokens.renew(stale=token)
        response = self.http.request(method, path, params=params, json=json, headers=self._headers(token))
        if response.status_code == 401:
            raise ConnectError(
                f"The WMS at {self.http.base_url} refused a token it had just issued ({method} {path}).",
                hint="Check that the user login id may use the REST API, and the clock of this machine.",
            )
        return response

    def get_json(self, path: str, params: Mapping[str, str], doing: str) -> Any:
        """GET a JSON document; a refusal raises an error that says what was being done."""
        response = self.request("GET", path, params=params)
        if response.status_code != 200:
            raise request_failed(response, doing)
        return response.json()

    def _headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "Accept": self.accept}
