"""Ledger rows as the engine reads them, and the one shape in which it changes them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Self

from cartsync.engine.secrets import redact
from cartsync.engine.state.packing import Packer

FLAGS = ("in_flight", "transient", "held", "resend")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def utc_now_precise() -> str:
    """Now to the microsecond, for the run history: runs of one pipeline may follow each other
    within a second, and their spans must still show that they never overlapped. Compared as
    text, it sorts with whole-second times (both UTC, `+00:00`)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass
class RowStatus:
    """One (entity, key) row without its record and payload: what a run checks before it sends.
    `in_flight`: its last send left and no outcome is known yet (a crash, or an unknown result);
    it is looked up before anything is sent again."""

    entity: str
    key: str
    status: str
    pipeline: str
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
    def from_sql(cls, row: Mapping[str, Any]) -> Self:
        values = dict(row)
        for name in FLAGS:
            values[name] = bool(values[name])
        return cls(**values)

    @classmethod
    def from_columns(cls, row: tuple[Any, ...]) -> RowStatus:
        """A row selected as `STATUS_COLUMNS` (in that order): the quick way, for many rows."""
        return cls(*row[:_FIRST_FLAG], *map(bool, row[_FIRST_FLAG:_AFTER_FLAGS]), *row[_AFTER_FLAGS:])


STATUS_COLUMNS = ", ".join(field.name for field in fields(RowStatus))
_FIRST_FLAG = [field.name for field in fields(RowStatus)].index(FLAGS[0])
_AFTER_FLAGS = _FIRST_FLAG + len(FLAGS)


@dataclass
class LedgerRow(RowStatus):
    """A whole row: its status, the source record and the payload last sent (until the retention
    rule removes them)."""

    record: dict[str, Any] | None
    payload: Any

    @classmethod
    def unpacked(cls, row: Mapping[str, Any], packer: Packer) -> LedgerRow:
        raw = packer.raw(row["record"])
        record = None if raw is None else json.loads(raw)
        return cls.from_sql({**row, "record": record, "payload": packer.unpack(row["payload"], raw)})


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
        """The changed columns with their SQL values; `record` and `payload` as given (the
        transaction packs them)."""
        changed: dict[str, Any] = {}
        for name in _COLUMNS:
            value = getattr(self, name)
            if value is not KEEP:
                changed[name] = _sql_value(name, value)
        return changed


_ROW_IDENTITY = frozenset({"entity", "key", "pipeline", "event", "message", "run_id"})
_COLUMNS = tuple(field.name for field in fields(RowChange) if field.name not in _ROW_IDENTITY)


def _sql_value(column: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if column == "last_error":
        return redact(value)
    return value
