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
