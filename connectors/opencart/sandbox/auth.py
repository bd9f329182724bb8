"""API users, login and sessions of the sandbox store, version by version.

Every reply here is one that a real store of that version gives (see the OpenCart reference):
the bare `[]` of 2.3/3.0, the IP list of the *default* API user on 2.1, the PHPSESSID that 2.3
binds to its token, and 3.0's 24-minute idle limit. (4.1 signed calls are checked in
`extension_guard`, as the cartsync extension and 4.1's own API check them alike.)
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from cartsync.connectors.opencart.sandbox.replies import Reply, json_reply

SUCCESS = "Success: API session successfully started!"
BAD_KEY = "Warning: Incorrect API Key!"
NO_PERMISSION = "Warning: You do not have permission to access the API!"
IP_TEXT = "Warning: Your IP {ip} is not allowed to access this API!"
ROW_IDLE_SECONDS = 3600  # an oc_api_session row idle longer is deleted
IDLE_SECONDS = {"3.0": 24 * 60}  # 3.0's session data dies sooner; elsewhere the row's hour counts


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
    last_used: float  # the oc_api_session row's date_modified
    data_used: float  # the last use of the PHP session data (3.0 drops it after 24 idle minutes)


class StoreAuth:
    """The oc_api, oc_api_ip and oc_api_session tables, and the login route's rules."""

    def __init__(self, version: str, users: list[ApiUser], default_api_id: int,
                 clock: Callable[[], float]) -> None:
        self.version = version
        self.users = {user.username: user for user in users}
        self.default_api_id = default_api_id  # config_api_id
        self.clock = clock
        self.sessions: dict[str, ApiSession] = {}
        self.signatures: dict[str, int] = {}  # taken by the extension, until their time leaves the window

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
        self.sessions[token] = ApiSession(token, user.api_id, cookie, self.clock(), self.clock())
        headers = {"Set-Cookie": f"PHPSESSID={cookie}; path=/; HttpOnly"} if cookie else {}
        return json_reply({"success": SUCCESS, token_name: token}, headers=headers)

    # -- sessions ----------------------------------------------------------------------------

    def session_row(self, token: str | None) -> ApiSession | None:
        """The oc_api_session row of a token, while it has been used within the hour."""
        found = self.sessions.get(token or "")
        if found is not None and self.clock() - found.last_used > ROW_IDLE_SECONDS:
            del self.sessions[found.token]
            return None
        return found

    def session(self, token: str | None, cookie: str | None = None) -> ApiSession | None:
        """The live session a token (and, on 2.3, the PHPSESSID cookie) belongs to."""
        found = self.session_row(token)
        if found is None:
            return None
        now = self.clock()
        if now - found.data_used > IDLE_SECONDS.get(self.version, ROW_IDLE_SECONDS):
            return None
        if found.cookie is not None and found.cookie != cookie:
            return None
        user = self._by_id(found.api_id)
        if user is None or not user.enabled:
            return None
        found.last_used = found.data_used = now
        return found

    def session_user(self, session: ApiSession) -> ApiUser:
        user = self._by_id(session.api_id)
        assert user is not None
        return user

    def take_signature(self, signature: str, expires: int) -> bool:
        """Record a signature as taken; False when it was taken before (replay.php)."""
        now = self.clock()
        self.signatures = {taken: until for taken, until in self.signatures.items() if until >= now}
        if signature in self.signatures:
            return False
        self.signatures[signature] = expires
        return True

    def expire_all(self) -> None:
        self.sessions.clear()
