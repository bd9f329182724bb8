"""Ledger rows as the engine reads them, and the one shape in which it changes them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from cartsync.engine.secrets import redact


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def utc_now_precise() -> str:
    """Now to the microsecond, for the run history: runs of one pipeline may follow each other
    within a second, and their spans must still show that they never overlapped. Compared as
    text, it sorts with whole-second times (both UTC, `+00:00`)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass
class LedgerRow:
    """One (entity, key) row. `in_flight`: its last send left and no outcome is known yet (a crash,
    or an unknown result); it is looked up before anything is sent again."""

    entity: str
    key: str
    status: str
    pipeline: str
    record: dict[str, Any] | None
    payload: Any
    dest_id: str | None
    attempts: int
    in_flight: bool
    transient: bool
    held: bool
    resend: bool
    last_error: str | None
    first_error_at: str | None
    next_attempt_at: str | None
    created_at: str
    updated_at: str

    @classmethod
    def from_sql(cls, row: Mapping[str, Any]) -> LedgerRow:
        values = dict(row)
        for name in ("record", "payload"):
            values[name] = cls.decode(values[name])
        for name in ("in_flight", "transient", "held", "resend"):
            values[name] = bool(values[name])
        return cls(**values)

    @staticmethod
    def decode(text: str | None) -> Any:
        """A JSON column's value."""
        return json.loads(text) if text is not None else None


class Keep(Enum):
    """The value of a `RowChange` field that leaves the column as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class RowChange:
    """A change to one ledger row and the event that explains it (`event`, `message`).

    Fields left at KEEP keep their value; a row that does not exist yet starts with status `new`.
    Texts are redacted before they are stored.
    """

    entity: str
    key: str
    pipeline: str
    event: str
    message: str | None = None
    run_id: int | None = None
    status: str | Keep = KEEP
    record: dict[str, Any] | Keep | None = KEEP
    payload: Any = KEEP
    dest_id: str | Keep | None = KEEP
    in_flight: bool | Keep = KEEP
    transient: bool | Keep = KEEP
    held: bool | Keep = KEEP
    resend: bool | Keep = KEEP
    last_error: str | Keep | None = KEEP
    first_error_at: str | Keep | None = KEEP
    next_attempt_at: str | Keep | None = KEEP

    def columns(self) -> dict[str, Any]:
        """The changed columns with their SQL values."""
        changed: dict[str, Any] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name in _ROW_IDENTITY or value is KEEP:
                continue
            changed[field.name] = _sql_value(field.name, value)
        return changed


_ROW_IDENTITY = frozenset({"entity", "key", "pipeline", "event", "message", "run_id"})


def _sql_value(column: str, value: Any) -> Any:
    if value is None:
        return None
    if column in ("record", "payload"):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, bool):
        return int(value)
    if column == "last_error":
        return redact(value)
    return value
