"""API users, login and sessions of the sandbox store, version by version.

Every reply here is one that a real store of that version gives (see the OpenCart reference):
the bare `[]` of 2.3/3.0, the IP list of the *default* API user on 2.1, the PHPSESSID that 2.3
binds to its token, 3.0's 24-minute idle limit, and the 4.1 signature with its clock window.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from connectors.opencart.sandbox.replies import Reply, json_reply
from connectors.opencart.signing import CLOCK_WINDOW_SECONDS, form_digest, signature

SUCCESS = "Success: API session successfully started!"
BAD_KEY = "Warning: Incorrect API Key!"
NO_PERMISSION = "Warning: You do not have permission to access the API!"
IP_TEXT = "Warning: Your IP {ip} is not allowed to access this API!"
IDLE_SECONDS = {"3.0": 24 * 60}  # 3.0's session data; elsewhere the oc_api_session row's hour
IDLE_DEFAULT = 3600


@dataclass
class ApiUser:
    api_id: int
    username: str
    key: str
    ips: list[str] = field(default_factory=lambda: ["127.0.0.1"])
    enabled: bool = True


@dataclass
class ApiSession:
    token: str
    api_id: int
    cookie: str | None
    last_used: float


class StoreAuth:
    """The oc_api, oc_api_ip and oc_api_session tables, and the login route's rules."""

    def __init__(self, version: str, users: list[ApiUser], default_api_id: int,
                 clock: Callable[[], float]) -> None:
        self.version = version
        self.users = {user.username: user for user in users}
        self.default_api_id = default_api_id  # config_api_id
        self.clock = clock
        self.sessions: dict[str, ApiSession] = {}

    def user(self, username: str) -> ApiUser:
        return self.users[username]

    def _by_id(self, api_id: int) -> ApiUser | None:
        return next((u for u in self.users.values() if u.api_id == api_id), None)

    # -- login -------------------------------------------------------------------------------

    def login(self, form: Mapping[str, str], ip: str) -> Reply:
        key = form.get("key", "")
        if self.version == "2.1":
            default = self._by_id(self.default_api_id)
            if default is None or ip not in default.ips:
                return json_reply({"error": {"ip": IP_TEXT.format(ip=ip)}})
            user = next((u for u in self.users.values() if u.key == key and u.enabled), None)
            if user is None:
                return json_reply({"error": {"key": BAD_KEY}})
            return self._start(user, "token")
        if self.version == "2.3":
            user = next((u for u in self.users.values() if key and u.key == key and u.enabled), None)
            return self._login_2x_3x(user, ip, "token")
        if self.version == "3.0":
            username = form.get("username", "Default")
            user = self.users.get(username)
            if not (user and key and user.key == key and user.enabled):
                user = None
            return self._login_2x_3x(user, ip, "api_token")
        # 4.0: both fields required
        user = self.users.get(form.get("username", ""))
        if not (user and key and user.key == key and user.enabled):
            return json_reply({"error": BAD_KEY})
        if ip not in user.ips:
            return json_reply({"error": IP_TEXT.format(ip=ip)})
        return self._start(user, "api_token")

    def _login_2x_3x(self, user: ApiUser | None, ip: str, token_name: str) -> Reply:
        if user is None:
            return json_reply([])
        if ip not in user.ips:
            return json_reply({"error": {"ip": IP_TEXT.format(ip=ip), "key": BAD_KEY}})
        return self._start(user, token_name)

    def _start(self, user: ApiUser, token_name: str) -> Reply:
        token = secrets.token_hex(16)
        cookie = secrets.token_hex(13) if self.version == "2.3" else None
        self.sessions[token] = ApiSession(token, user.api_id, cookie, self.clock())
        headers = {"Set-Cookie": f"PHPSESSID={cookie}; path=/; HttpOnly"} if cookie else {}
        return json_reply({"success": SUCCESS, token_name: token}, headers=headers)

    # -- sessions ----------------------------------------------------------------------------

    def session(self, token: str | None, cookie: str | None = None) -> ApiSession | None:
        """The live session a token (and, on 2.3, the PHPSESSID cookie) belongs to."""
        found = self.sessions.get(token or "")
        if found is None:
            return None
        now = self.clock()
        if now - found.last_used > IDLE_SECONDS.get(self.version, IDLE_DEFAULT):
            del self.sessions[found.token]
            return None
        if found.cookie is not None and found.cookie != cookie:
            return None
        user = self._by_id(found.api_id)
        if user is None or not user.enabled:
            return None
        found.last_used = now
        return found

    def session_user(self, session: ApiSession) -> ApiUser:
        user = self._by_id(session.api_id)
        assert user is not None
        return user

    def expire_all(self) -> None:
        self.sessions.clear()

    # -- 4.1 signed calls --------------------------------------------------------------------

    def verify_signed(self, query: Mapping[str, str], form: Mapping[str, str], *, host: str, path: str,
                      ip: str) -> tuple[str, str] | None:
        """None when the call is authentic; else (contract error code, message)."""
        user = self.users.get(query.get("username", ""))
        if user is None or not user.enabled:
            return "permission", "Warning: You do not have permission to access the API!"
        try:
            sent_time = int(query.get("time", ""))
        except ValueError:
            return "permission", "Warning: the signed call has no valid time!"
        if abs(self.clock() - sent_time) > CLOCK_WINDOW_SECONDS:
            return "permission", (f"Warning: the signed call's time is more than {CLOCK_WINDOW_SECONDS} "
                                  f"seconds away from the store's clock!")
        expected = signature(user.key, route=query.get("route", ""), call=query.get("call", ""),
                             username=user.username, host=host, path=path,
                             store_id=query.get("store_id", ""), language=query.get("language", ""),
                             currency=query.get("currency", ""), form_md5=form_digest(form),
                             time=query.get("time", ""))
        if not secrets.compare_digest(expected, query.get("signature", "")):
            return "permission", "Warning: You do not have permission to access the API!"
        if ip not in user.ips:
            return "ip", IP_TEXT.format(ip=ip)
        return None
