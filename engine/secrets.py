"""Keeps secrets out of every message, log line and state row: the one redaction cartsync uses.

Two kinds are masked wherever they appear:

- values registered here: secret settings interpolated from the environment, and tokens a
  connector obtains at run time;
- credentials written into a URL (`https://user:password@host`): the whole user part is masked
  (`https://***@host`), whether or not anything registered it.
"""

from __future__ import annotations

import re
import threading

_MASK = "***"
_MIN_LENGTH = 4  # shorter values would mask ordinary words
_lock = threading.Lock()
_secrets: set[str] = set()
# scheme://user[:password]@ — the user part stops at the first character a URL's authority cannot
# hold there, so `a@b` in an ordinary sentence is left alone
_URL_CREDENTIALS = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]+@")


def register(value: object) -> None:
    """Remember a secret value so that it is masked from now on."""
    if isinstance(value, str) and len(value) >= _MIN_LENGTH:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """Return `text` with URL credentials and every registered secret replaced by ***."""
    text = _URL_CREDENTIALS.sub(lambda match: f"{match['scheme']}{_MASK}@", text)
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, _MASK)
    return text


class Secret:
    """A secret setting's value: its repr and str are `***`, so no message, log line or state row
    built from settings can show it. `reveal()` gives the value to the code that sends it.
    The value is registered for redaction when the object is made."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = str(value)
        register(self._value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{_MASK}')"

    def __str__(self) -> str:
        return _MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __bool__(self) -> bool:
        return bool(self._value)
