"""The sandbox's token server: client credentials in, bearer tokens with an expiry out."""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any


class TokenIssuer:
    def __init__(self, *, client_id: str, client_secret: str, user_login_id: str, tpl: str | None,
                 ttl: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.user_login_id = str(user_login_id)
        self.tpl = tpl
        self.ttl = ttl
        self.issued = 0
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}  # token -> expiry (clock time)

    def credentials_match(self, authorization: str | None) -> bool:
        """True when a `Basic base64(client_id:client_secret)` header carries our pair."""
        scheme, _, encoded = (authorization or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return secrets.compare_digest(client_id, self.client_id) and secrets.compare_digest(
            secret, self.client_secret)

    def grant_problem(self, body: Any) -> str | None:
        """Why the token request body is refused, or None when it is acceptable."""
        if not isinstance(body, dict) or body.get("grant_type") != "client_credentials":
            return "grant_type must be client_credentials"
        if str(body.get("user_login_id", "")) != self.user_login_id:
            return f"user_login_id {body.get('user_login_id')!r} is not valid for this client"
        if self.tpl and body.get("tpl") != self.tpl:
            return "tpl is missing or does not match this client"
        return None

    def issue(self) -> dict[str, Any]:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = self._clock() + self.ttl
            self.issued += 1
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.ttl,
                "refresh_token": None, "scope": None}

    def valid(self, authorization: str | None) -> bool:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        with self._lock:
            expiry = self._tokens.get(token.strip())
        return expiry is not None and expiry > self._clock()

    def expire_all(self) -> None:
        """Make every token issued so far expired (a run that outlives its token)."""
        with self._lock:
            self._tokens = dict.fromkeys(self._tokens, float("-inf"))
