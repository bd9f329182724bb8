"""What every part of the state store shares: the connection and its write transactions."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from cartsync.engine.state.migrations import migrate
from cartsync.engine.state.sqlite import connect
from cartsync.engine.state.transaction import Transaction

DEFAULT_PATH = Path(".cartsync/state.db")


class StoreBase:
    """One SQLite file. Open it with `open(path)`; close it when done."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path

    @classmethod
    def open(cls, path: Path | str | None = None) -> Self:
        """The store at `path`, else $CARTSYNC_STATE, else .cartsync/state.db (created if missing)."""
        path = Path(path or os.environ.get("CARTSYNC_STATE") or DEFAULT_PATH)
        connection = connect(path)
        migrate(connection)
        return cls(connection, path)

    def reopen(self) -> Self:
        """A second connection to the same store, for another thread."""
        return type(self).open(self.path)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write transaction, committed (durable) when the block exits, rolled back on an error."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield Transaction(self.db)
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
