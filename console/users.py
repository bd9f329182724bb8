"""Console users: a YAML file of names, roles and scrypt password hashes.

    users:
      alice: {role: operator, password: "scrypt$16384$8$1$<salt>$<hash>"}
      bob:   {role: viewer}          # no password: only through the reverse proxy

`cartsync console add-user` and `passwd` write it; a person never types a hash. The file is read
again whenever it changes, so a new password, a removed user or a changed role applies at once,
to sessions already open too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

from cartsync.engine.errors import ConfigError

OPERATOR = "operator"  # reads everything; holds, releases and resends
VIEWER = "viewer"  # reads everything; changes nothing
ROLES = (OPERATOR, VIEWER)
MIN_PASSWORD_LENGTH = 10

# scrypt at n=2^14, r=8, p=1 (about 16 MiB and a few tens of ms per check).
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_SCRYPT_MEMORY = 64 * 1024 * 1024


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str | None = None

    @property
    def can_act(self) -> bool:
        return self.role == OPERATOR

    @property
    def session_stamp(self) -> str:
        """Changes when the password changes, which ends the user's open sessions."""
        return hashlib.sha256((self.password_hash or "").encode()).hexdigest()[:16]


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str | None) -> bool:
    """True if `password` matches; a missing or malformed hash never matches (same cost either way)."""
    try:
        scheme, n, r, p, salt, digest = (encoded or "").split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        return hmac.compare_digest(_scrypt(password, _unb64(salt), int(n), int(r), int(p)), _unb64(digest))
    except ValueError:
        _scrypt(password, b"no-such-user-salt", _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
        return False


class UserFile:
    """The users file, re-read when it changes on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[float, int] | None = None
        self._users: dict[str, User] = {}

    def get(self, name: str) -> User | None:
        return self.users().get(name)

    def users(self) -> dict[str, User]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        with self._lock:
            if self._stamp != (stat.st_mtime, stat.st_size):
                self._users = _parse(self.path)
                self._stamp = (stat.st_mtime, stat.st_size)
            return self._users

    def save(self, user: User) -> None:
        """Add or replace one user; the file is written whole, readable by its owner only."""
        users = {**self.users(), user.name: user}
        body = {
            name: {"role": u.role, **({"password": u.password_hash} if u.password_hash else {})}
            for name, u in sorted(users.items())
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write("# cartsync console users: change with `cartsync console add-user` and `passwd`.\n")
            yaml.safe_dump({"users": body}, handle, sort_keys=True)
        os.replace(temporary, self.path)


def check_name(name: str) -> str:
    if not name or not all(c.isalnum() or c in "._@-" for c in name) or len(name) > 64:
        raise ConfigError(
            f"'{name}' is not a usable user name.",
            hint="Use up to 64 letters, digits, '.', '_', '@' or '-'.",
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ConfigError(f"Unknown role '{role}'.", hint=f"Roles: {OPERATOR} (acts), {VIEWER} (read-only).")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ConfigError(f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters.")
    return password


def _parse(path: Path) -> dict[str, User]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from error
    entries = data.get("users") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise ConfigError(f"{path}: expected a `users:` mapping of name to {{role, password}}.")
    users = {}
    for name, entry in entries.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: user '{name}': expected {{role: …, password: …}}.")
        role = check_role(str(entry.get("role", VIEWER)))
        users[str(name)] = User(str(name), role, entry.get("password"))
    return users


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MEMORY, dklen=32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as error:
        raise ValueError("bad base64") from error
