"""Connecting to a PostgreSQL state store: the URL, the client's schema, clear errors.

One database holds many clients: each client's state is a PostgreSQL schema of its own (ledger
keys such as order ids are unique only within one client). The schema is named by a `schema`
parameter of the URL, which cartsync reads and libpq never sees:

    postgresql://cartsync@db.example.com/cartsync?schema=acme

Without it the schema is `public`. The password belongs in PGPASSWORD or ~/.pgpass, or in the URL
inside an environment variable (CARTSYNC_STATE); messages never show it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cartsync.engine.errors import ConfigError, ConnectError
from cartsync.engine.state.location import display

if TYPE_CHECKING:
    import psycopg

DEFAULT_SCHEMA = "public"
CONNECT_TIMEOUT = 10  # seconds
_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def split_schema(location: str) -> tuple[str, str]:
    """(the URL libpq gets, the schema) of a state location."""
    url, schema = _without_schema(location)
    schema = schema or DEFAULT_SCHEMA
    if not _SCHEMA.match(schema):
        raise ConfigError(
            f"The state location '{display(location)}' names the schema '{schema}'.",
            hint="A schema name is lowercase letters, digits and _, starting with a letter or _.",
        )
    return url, schema


def with_schema(location: str, schema: str) -> str:
    """The same database, another schema: how each client gets its own state."""
    url, _ = _without_schema(location)
    return url + ("&" if urlsplit(url).query else "?") + urlencode({"schema": schema})


def _without_schema(location: str) -> tuple[str, str | None]:
    parts = urlsplit(location)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((value for name, value in query if name == "schema"), None)
    rest = urlencode([(name, value) for name, value in query if name != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema


def client_schema(client: str) -> str:
    """A client's name as a schema name: `Acme-EU` -> `acme_eu`."""
    name = re.sub(r"[^a-z0-9_]", "_", client.lower())
    return name if re.match(r"^[a-z_]", name) else f"c_{name}"


def psycopg_module():  # type: ignore[no-untyped-def]
    try:
        import psycopg
    except ImportError as error:
        raise ConfigError(
            "A PostgreSQL state store needs the psycopg package, which is not installed.",
            hint="pip install 'cartsync[postgres]'",
        ) from error
    return psycopg


def connect(location: str) -> tuple[psycopg.Connection, str]:
    """An autocommit connection whose search_path is the location's schema, and that schema."""
    psycopg = psycopg_module()
    url, schema = split_schema(location)
    try:
        connection = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
    except psycopg.OperationalError as error:
        raise ConnectError(
            f"Cannot open the PostgreSQL state store {display(location)}: {_first_line(error)}",
            hint="Check that the server runs and the URL, user and password (PGPASSWORD or ~/.pgpass) "
            "are right.",
        ) from error
    except psycopg.ProgrammingError as error:  # a malformed URL
        raise ConfigError(
            f"The state location '{display(location)}' is not a valid PostgreSQL URL: {_first_line(error)}",
            hint="Write it as postgresql://user@host:port/database?schema=client",
        ) from error
    connection.execute(f'SET search_path TO "{schema}"')  # checked against _SCHEMA above
    return connection, schema


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
