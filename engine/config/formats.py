"""Value formats that configuration schemas name with `"format"`, checked by the same code a run uses.

- `moment`: a point in time as `engine.dates.parse_moment` reads it (`30 days ago`, `2024-05-01`);
- `duration`: a length of time as `engine.dates.parse_duration` reads it (`15 days`, `1 hour`);
- `http-url`: an http(s) address with a host and a usable port, as the HTTP client needs it.

A failed check raises ValueError whose text (if any) says what is wrong; schema_check shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from jsonschema import FormatChecker

from cartsync.engine.dates import parse_duration, parse_moment

FORMATS = FormatChecker(formats=())
EXPECTED = {
    "moment": "a moment such as `30 days ago`, `2024-05-01` or `2024-05-01 08:00:00`",
    "duration": "a duration such as `15 days` or `1 hour`",
    "http-url": "a web address such as `https://shop.example.com`",
}


def _read_by(parse: Callable[[str], object]) -> Callable[[object], bool]:
    """A check that `parse` (the function a run uses) reads the text; the expected forms are
    named by the message, so the failure adds no reason of its own."""

    def check(value: object) -> bool:
        if isinstance(value, str):
            try:
                parse(value)
            except ValueError:
                raise ValueError("") from None
        return True

    return check


FORMATS.checks("moment", raises=ValueError)(_read_by(parse_moment))
FORMATS.checks("duration", raises=ValueError)(_read_by(parse_duration))


@FORMATS.checks("http-url", raises=ValueError)
def is_http_url(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if value != value.strip() or any(character.isspace() for character in value):
        raise ValueError("it contains a space")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise ValueError("it must start with https:// or http://")
    if not parts.hostname:
        raise ValueError("it has no host name")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 0 < port <= 65535:
        raise ValueError(f"its port `{parts.netloc.rpartition(':')[2]}` is not a number from 1 to 65535")
    return True
