"""Which state store one setting names: a SQLite file (the default) or a PostgreSQL database.

`--state` / `CARTSYNC_STATE` take either a file path (`.cartsync/state.db`) or a URL
(`postgresql://user@host/db`). PostgreSQL is what several workers on several machines share.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cartsync.engine.errors import ConfigError

ENV = "CARTSYNC_STATE"
DEFAULT_PATH = Path(".cartsync/state.db")
POSTGRES_SCHEMES = ("postgresql", "postgres")
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def resolve(location: str | os.PathLike[str] | None = None) -> str:
    """The location given, else $CARTSYNC_STATE, else the default SQLite file."""
    text = os.fspath(location) if location is not None else os.environ.get(ENV) or str(DEFAULT_PATH)
    scheme = _URL.match(text)
    if scheme and scheme.group(1).lower() not in POSTGRES_SCHEMES:
        raise ConfigError(
            f"The state location '{display(text)}' is neither a file path nor a postgresql:// URL.",
            hint="Give a SQLite file (.cartsync/state.db, the default) or postgresql://user@host/database.",
        )
    return text


def is_postgres(location: str) -> bool:
    scheme = _URL.match(location)
    return bool(scheme) and scheme.group(1).lower() in POSTGRES_SCHEMES


def display(location: str) -> str:
    """The location without its password, for messages and logs."""
    if not _URL.match(location):
        return location
    parts = urlsplit(location)
    if parts.password is None:
        return location
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
