"""Who is asking: a password login kept in a signed session, or a user named by a trusted proxy.

Either way the session (a cookie signed with the console's secret) carries a CSRF token that
every form repeats; a POST without the session's token is refused before anything happens.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.requests import Request

from cartsync.console.limits import SignInLimiter
from cartsync.console.users import VIEWER, User, UserFile, check_role, verify_password

PASSWORD = "password"
PROXY = "proxy"
CSRF_FIELD = "csrf_token"

Network = IPv4Network | IPv6Network


class NotTrusted(Exception):
    """Proxy mode: the request did not come through a trusted proxy, or named no user."""


class TooManyAttempts(Exception):
    """Too many wrong passwords for this user from this address lately; `wait` seconds to go."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"try again in {wait:.0f} s")
        self.wait = wait


@dataclass(frozen=True)
class AuthSettings:
    """`password`: users log in with the users file. `proxy`: a reverse proxy authenticates them
    and names the user in `proxy_header`; only requests from `trusted_proxies` are believed."""

    mode: str = PASSWORD
    proxy_header: str = "X-Forwarded-User"
    trusted_proxies: tuple[Network, ...] = (ip_network("127.0.0.1/32"), ip_network("::1/128"))
    proxy_role: str = VIEWER  # the role of a proxy user the users file does not list

    def __post_init__(self) -> None:
        if self.mode not in (PASSWORD, PROXY):
            raise ValueError(f"auth mode must be {PASSWORD} or {PROXY}, not {self.mode!r}")
        check_role(self.proxy_role)


def parse_networks(values: list[str]) -> tuple[Network, ...]:
    """'10.0.0.5' or '10.0.0.0/24' → networks; raises ValueError naming a bad entry."""
    networks = []
    for value in values:
        try:
            networks.append(ip_network(value.strip(), strict=False))
        except ValueError as error:
            raise ValueError(
                f"'{value}' is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)"
            ) from error
    return tuple(networks)


class Auth:
    def __init__(self, users: UserFile, settings: AuthSettings, limiter: SignInLimiter | None = None) -> None:
        self.users = users
        self.settings = settings
        self.limiter = limiter or SignInLimiter()

    @property
    def uses_passwords(self) -> bool:
        return self.settings.mode == PASSWORD

    def current_user(self, request: Request) -> User | None:
        """The signed-in user, or None. Raises NotTrusted in proxy mode for a request not from a proxy."""
        if self.settings.mode == PROXY:
            return self._proxy_user(request)
        name = request.session.get("user")
        user = self.users.get(name) if isinstance(name, str) else None
        if user is None or not user.password_hash or request.session.get("stamp") != user.session_stamp:
            return None  # unknown, removed, or the password changed since this session began
        return user

    def login(self, request: Request, name: str, password: str) -> User | None:
        """The user if the password is right, else None. Raises TooManyAttempts, checking nothing,
        after a few wrong passwords for this name from this address (console/limits.py)."""
        address = request.client.host if request.client else ""
        wait = self.limiter.wait(name, address)
        if wait > 0:
            raise TooManyAttempts(wait)
        user = self.users.get(name)
        if not verify_password(password, user.password_hash if user else None) or user is None:
            self.limiter.failed(name, address)
            return None
        self.limiter.succeeded(name, address)
        request.session.clear()  # a new session: no token or state from before the login survives
        request.session.update(user=user.name, stamp=user.session_stamp, csrf=secrets.token_urlsafe(32))
        return user

    @staticmethod
    def logout(request: Request) -> None:
        request.session.clear()

    def _proxy_user(self, request: Request) -> User:
        peer = request.client.host if request.client else ""
        try:
            trusted = any(ip_address(peer) in network for network in self.settings.trusted_proxies)
        except ValueError:
            trusted = False
        name = request.headers.get(self.settings.proxy_header, "").strip()
        if not trusted:
            raise NotTrusted("This console accepts requests only through its reverse proxy.")
        if not name:
            raise NotTrusted(f"The proxy sent no {self.settings.proxy_header} header naming the user.")
        if request.session.get("user") != name:  # another person behind the same browser: new session
            request.session.clear()
            request.session["user"] = name
        listed = self.users.get(name)
        return User(name, listed.role if listed else self.settings.proxy_role)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (the login form needs one too)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_ok(request: Request, submitted: object) -> bool:
    expected = request.session.get("csrf")
    return (
        isinstance(expected, str) and isinstance(submitted, str) and hmac.compare_digest(expected, submitted)
    )
