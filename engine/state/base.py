"""What every part of the state store shares: the connection and its write transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from cartsync.engine.state.backend import Backend, open_backend
from cartsync.engine.state.location import resolve
from cartsync.engine.state.packing import Packer
from cartsync.engine.state.transaction import Transaction


class StoreBase:
    """One SQLite file or one PostgreSQL schema. Open it with `open(location)`; close it when done."""

    def __init__(self, backend: Backend, location: str) -> None:
        self.backend = backend
        self.db = backend.db
        self.location = location
        self.packer = Packer(self.db)

    @classmethod
    def open(cls, location: Path | str | None = None) -> Self:
        """The store at `location` (a SQLite file, created if missing, or a postgresql:// URL), else
        $CARTSYNC_STATE, else .cartsync/state.db."""
        text = resolve(location or None)
        return cls(open_backend(text), text)

    def reopen(self) -> Self:
        """A second connection to the same store, for another thread."""
        return type(self).open(self.location)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write transaction, committed (durable) when the block exits, rolled back on an error."""
        self.db.execute(self.backend.begin)
        try:
            yield Transaction(self.db, self.packer)
        except BaseException:
            self.db.execute("ROLLBACK")
            self.packer.settle(committed=False)
            raise
        self.db.execute("COMMIT")
        self.packer.settle(committed=True)
