"""Keeps secret values out of every message, log line and state row.

Values interpolated from the environment into a secret setting, and tokens a connector obtains
at run time, are registered here; `redact` replaces them wherever they appear.
"""

from __future__ import annotations

import threading

_MASK = "***"
_MIN_LENGTH = 4  # shorter values would mask ordinary words
_lock = threading.Lock()
_secrets: set[str] = set()


def register(value: object) -> None:
    """Remember a secret value so that it is masked from now on."""
    if isinstance(value, str) and len(value) >= _MIN_LENGTH:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """Return `text` with every registered secret replaced by ***."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, _MASK)
    return text
