"""`cartsync state migrate`: copy a SQLite state store into a PostgreSQL one, as it is.

Every table is copied row by row with its ids, in one transaction: the PostgreSQL store is then
what the SQLite file was (the ledger, its events, deliveries, cursors, runs and the rest), and the
next run continues where the last one stopped. The copy refuses to start while a run holds an
unexpired lease in the SQLite file, and refuses a PostgreSQL schema that already holds state. Leases
are not copied: no run may hold one (a run that died holding one shows as `died` in both stores).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cartsync.engine.errors import CartsyncError, ConfigError
from cartsync.engine.state import migrations as sqlite_schema
from cartsync.engine.state import pg_schema
from cartsync.engine.state.location import display
from cartsync.engine.state.pg_connection import connect, split_schema

if TYPE_CHECKING:
    from psycopg import Connection

NOT_COPIED = {"sqlite_sequence", "leases"}  # SQLite's own bookkeeping; leases of runs (none may run)


@dataclass(frozen=True)
class CopyReport:
    source: Path
    target: str  # the location, password hidden
    rows: dict[str, int]  # table -> rows copied


def copy_to_postgres(source: Path, target: str) -> CopyReport:
    """Copy the SQLite store at `source` into the empty PostgreSQL store at `target`."""
    split_schema(target)  # a bad schema name is explained before anything is opened
    if not source.is_file():
        raise ConfigError(
            f"There is no SQLite state store at {source}.",
            hint="Name it with --state (default .cartsync/state.db).",
        )
    lite = sqlite3.connect(source, timeout=30)
    try:
        sqlite_schema.migrate(lite)
        _refuse_running(lite, source)
        connection, schema = connect(target)
        with connection:
            pg_schema.migrate(connection, schema)
            tables = _tables(lite)
            _refuse_filled(connection, tables, target)
            with connection.transaction():
                rows = {table: _copy_table(lite, connection, table) for table in tables}
                _advance_identities(connection, tables)
    finally:
        lite.close()
    return CopyReport(source, display(target), rows)


def _tables(lite: sqlite3.Connection) -> list[str]:
    names = lite.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [name for (name,) in names if name not in NOT_COPIED]


def _refuse_running(lite: sqlite3.Connection, source: Path) -> None:
    running = lite.execute(
        "SELECT pipeline, holder, acquired_at FROM leases WHERE expires_at > ?", (time.time(),)
    ).fetchall()
    if running:
        pipeline, holder, since = running[0]
        raise CartsyncError(
            f"{source}: pipeline '{pipeline}' is running (process {holder}, since {since}).",
            hint="Stop `cartsync serve` and scheduled runs first, so the copy is the whole state.",
        )


def _refuse_filled(connection: Connection, tables: list[str], target: str) -> None:
    for table in tables:
        if connection.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]:
            raise CartsyncError(
                f"The PostgreSQL state store {display(target)} already holds state (table {table}).",
                hint="Copy into an empty schema: add ?schema=NAME to the URL, one schema per client.",
            )


def _copy_table(lite: sqlite3.Connection, connection: Connection, table: str) -> int:
    columns = [row[1] for row in lite.execute(f'PRAGMA table_info("{table}")')]
    known = {
        name
        for (name,) in connection.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s",
            (table,),
        )
    }
    if not known or not set(columns) <= known:
        raise CartsyncError(
            f"The PostgreSQL schema has no place for {table}({', '.join(sorted(set(columns) - known))}).",
            hint="Both stores must come from the same cartsync version: upgrade the older one.",
        )
    names = ", ".join(f'"{column}"' for column in columns)
    binary = _bytea_columns(connection, table)
    packed = [index for index, column in enumerate(columns) if column in binary]
    count = 0
    with connection.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in lite.execute(f'SELECT {names} FROM "{table}"'):
            copy.write_row(_as_bytes(row, packed) if packed else row)
            count += 1
    return count


def _bytea_columns(connection: Connection, table: str) -> set[str]:
    return {
        name
        for (name,) in connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s AND data_type = 'bytea'",
            (table,),
        )
    }


def _as_bytes(row: tuple, columns: list[int]) -> list:
    """A row whose packed columns hold JSON text (written before records were packed): as UTF-8
    bytes, which a packed column reads as JSON."""
    values = list(row)
    for index in columns:
        if isinstance(values[index], str):
            values[index] = values[index].encode()
    return values


def _advance_identities(connection: Connection, tables: list[str]) -> None:
    """Rows came with their ids: the next id PostgreSQL hands out follows the largest copied one."""
    identities = connection.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_identity = 'YES'"
    ).fetchall()
    for table, column in identities:
        if table in tables:
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                f'COALESCE((SELECT max("{column}") FROM "{table}"), 0) + 1, false)',
                (f'"{table}"', column),
            )
