"""The database behind a state location: a SQLite file (the default) or a PostgreSQL schema.

The store's modules write one SQL for both (`?` parameters, INSERT … ON CONFLICT, RETURNING, and
every read-then-write as a conditional write that another process cannot interleave); rows are
read by column name. What still differs between the two is here: how a connection is opened and
migrated, the statement that opens a write transaction, which errors pass if tried again, and the
word for a pattern match that ignores case.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cartsync.engine.state.location import is_postgres
from cartsync.engine.state.migrations import migrate
from cartsync.engine.state.sqlite import connect


class Database(Protocol):
    """A sqlite3.Connection, or the PostgreSQL adapter that behaves as one (pg_database.py)."""

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Backend:
    db: Database
    begin: str  # opens a write transaction
    passing_errors: tuple[type[Exception], ...]  # a busy file, a lost connection: a later try may work
    # `column <like_any_case> ?` matches a LIKE pattern ignoring ASCII case (text columns compare
    # byte by byte on both, so neither folds other letters): SQLite's LIKE, PostgreSQL's ILIKE.
    like_any_case: str = "LIKE"


def open_backend(location: str) -> Backend:
    """Connect to the store at `location` and bring its schema to the newest version."""
    if is_postgres(location):
        from cartsync.engine.state.pg_database import open_postgres

        return open_postgres(location)
    connection = connect(Path(location))
    try:
        migrate(connection)
    except BaseException:
        connection.close()
        raise
    # IMMEDIATE: the write lock is taken at BEGIN, so a transaction's reads see what it then writes.
    return Backend(connection, "BEGIN IMMEDIATE", (sqlite3.OperationalError,))
