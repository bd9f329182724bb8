"""The PostgreSQL side of the state store: a psycopg connection that speaks the store's SQL.

The state store writes portable SQL with `?` parameters (INSERT … ON CONFLICT, RETURNING) and
reads rows by column name. This adapter turns `?` into psycopg's `%s`, hands back rows as dicts,
and stores Python booleans as the 0/1 integers both schemas keep. Transactions are explicit
(`BEGIN` … `COMMIT`, READ COMMITTED), as on SQLite: the connection itself is in autocommit mode.
The store never reads a row and then writes on what it read without making the write conditional
on it, so READ COMMITTED gives each write the answer SQLite's single writer would.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from cartsync.engine.state import pg_schema
from cartsync.engine.state.backend import Backend
from cartsync.engine.state.pg_connection import connect, psycopg_module

if TYPE_CHECKING:
    import psycopg


class PgDatabase:
    def __init__(self, connection: psycopg.Connection) -> None:
        from psycopg.rows import dict_row

        self.connection = connection
        self.connection.row_factory = dict_row  # type: ignore[assignment]

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        return self.connection.execute(_placeholders(sql), _values(parameters))  # type: ignore[arg-type]

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> psycopg.Cursor[Any]:
        """One statement for many rows (a batch's outcomes, events, deliveries)."""
        cursor = self.connection.cursor()
        cursor.executemany(_placeholders(sql), [_values(row) for row in rows])  # type: ignore[arg-type]
        return cursor

    def close(self) -> None:
        self.connection.close()


def open_postgres(location: str) -> Backend:
    """Connect to `location`, bring its schema to the newest version, and wrap it."""
    connection, schema = connect(location)
    try:
        pg_schema.migrate(connection, schema)
    except BaseException:
        connection.close()
        raise
    return Backend(PgDatabase(connection), "BEGIN", (psycopg_module().OperationalError,), "ILIKE")


def _placeholders(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


def _values(parameters: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(int(value) if isinstance(value, bool) else value for value in parameters)
