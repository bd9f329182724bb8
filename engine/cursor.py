"""The incremental cursor a stream declares: where a read starts, with the overlap window.

A source that can be read "changed since" keeps, as its cursor, the change time of the last
record read (and any tie-breaking keys). The next run starts `overlap` before that time, so a
record changed while a page was being read is not missed; the ledger drops the repeats (DESIGN.md,
"Nothing is skipped"). A first run starts at the stream's `earliest` moment (`30 days ago`,
`2024-05-01`), if it has one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cartsync.engine.dates import parse_moment
from cartsync.engine.errors import ConfigError


@dataclass(frozen=True)
class IncrementalCursor:
    """`field`: the record's change time, kept in the cursor as the system wrote it; `parse` reads
    that text as a naive datetime on the system's clock; `keys`: fields kept beside it."""

    field: str
    overlap: timedelta
    parse: Callable[[str], datetime]
    keys: tuple[str, ...] = ()

    def start(
        self, cursor: Mapping[str, Any] | None, earliest: object = None, *, where: str = "earliest"
    ) -> datetime | None:
        """Where a read starts: `overlap` before the cursor's time, else `earliest` (as naive UTC),
        else None (from the beginning). An unreadable `earliest` is a ConfigError naming `where`."""
        if cursor and cursor.get(self.field):
            return self.parse(str(cursor[self.field])) - self.overlap
        if earliest is None:
            return None
        try:
            return parse_moment(str(earliest)).astimezone(UTC).replace(tzinfo=None)
        except ValueError as error:
            raise ConfigError(f"{where}: {error}") from None

    def after(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The cursor that points just past `record`."""
        return {self.field: record[self.field], **{key: record[key] for key in self.keys}}
