"""The writes of one transaction on the state store, committed together.

A run writes a whole batch in a few statements: one multi-row upsert for its intents (and one for
their payloads), one statement per kind of row change for its outcomes (run with `executemany`),
one for their events and one for the deliveries. The SQL is portable (`?` parameters, INSERT …
ON CONFLICT, RETURNING): the same statements run on SQLite and through the PostgreSQL adapter.

A row's payload (the one last sent) lives in `payloads`; a change that sets it to None removes it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import TYPE_CHECKING, Any

from cartsync.engine.secrets import redact
from cartsync.engine.state.packing import Packer, dump
from cartsync.engine.state.rows import RowChange, utc_now

if TYPE_CHECKING:
    from cartsync.engine.state.backend import Database
    from cartsync.engine.state.lease import Lease

Send = tuple[str, Any, Any]  # key, source record, mapped payload
INTENTS_PER_STATEMENT = 100  # rows in one multi-row upsert (well inside every parameter limit)


class Transaction:
    """Obtained from `StateStore.transaction()`; nothing is visible to others until it commits."""

    def __init__(self, db: Database, packer: Packer) -> None:
        self.db = db
        self.packer = packer

    def change(self, change: RowChange) -> None:
        """Create or update one ledger row and append its event."""
        self.changes([change])

    def changes(self, changes: Sequence[RowChange]) -> None:
        """Create or update ledger rows, in order, and append one event for each. A row that does
        not exist yet starts with status `new` unless the change sets one."""
        now = utc_now()
        pairs, payloads = [], []
        for change in changes:
            columns, payload = self._columns(change)
            pairs.append((change, columns))
            if payload is not _UNTOUCHED:
                payloads.append((change.entity, change.key, payload))
        for names, group in groupby(pairs, key=lambda pair: tuple(pair[1])):
            self._upsert(list(names), list(group), now)
        self._put_payloads(payloads)
        self.db.executemany(
            "INSERT INTO ledger_events (entity, key, run_id, pipeline, event, status, message, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(change.entity, change.key, change.run_id, change.pipeline, change.event, columns.get("status"),
              redact(change.message) if change.message else None, now) for change, columns in pairs],
        )

    def _columns(self, change: RowChange) -> tuple[dict[str, Any], Any]:
        """The change's ledger columns, with the record packed, and its packed payload (None: remove
        it; `_UNTOUCHED`: leave it). A new record replaces the one the stored payload was packed
        against: that payload is packed again with it."""
        columns = change.columns()
        if "payload" in columns:
            payload = columns.pop("payload")
        elif "record" in columns:
            payload = self._stored_payload(change.entity, change.key)
        else:
            return columns, _UNTOUCHED
        if "record" not in columns:  # a payload alone: it is not packed against the stored record
            return columns, self.packer.pack(payload, _payloads(change.entity, change.pipeline))
        columns["record"], packed = self._pack(change.entity, change.pipeline, columns["record"], payload)
        return columns, packed if payload is not _UNTOUCHED else _UNTOUCHED

    def _stored_payload(self, entity: str, key: str) -> Any:
        kept = self.db.execute(
            "SELECT ledger.record, payloads.payload FROM payloads JOIN ledger "
            "ON ledger.entity = payloads.entity AND ledger.key = payloads.key "
            "WHERE payloads.entity = ? AND payloads.key = ?",
            (entity, key),
        ).fetchone()
        if kept is None:
            return _UNTOUCHED
        return self.packer.unpack(kept["payload"], self.packer.raw(kept["record"]))

    def _put_payloads(self, payloads: list[tuple[str, str, bytes | None]]) -> None:
        """Store packed payloads; None removes a row's payload."""
        gone = [(entity, key) for entity, key, payload in payloads if payload is None]
        if gone:
            self.db.executemany("DELETE FROM payloads WHERE entity = ? AND key = ?", gone)
        kept = [row for row in payloads if row[2] is not None]
        if kept:
            self.db.executemany(
                "INSERT INTO payloads (entity, key, payload) VALUES (?, ?, ?) "
                "ON CONFLICT (entity, key) DO UPDATE SET payload = excluded.payload",
                kept,
            )

    def _pack(self, entity: str, pipeline: str, record: Any, payload: Any) -> tuple[Any, Any]:
        """(record, payload) packed, the payload against the record."""
        if payload is _UNTOUCHED:
            payload = None
        if record is None:
            return None, self.packer.pack(payload, _payloads(entity, pipeline))
        raw = dump(record)
        packed_record = self.packer.pack(record, _records(entity, pipeline), raw=raw)
        return packed_record, self.packer.pack(payload, _payloads(entity, pipeline), record=raw)

    def _upsert(self, names: list[str], group: list[tuple[RowChange, dict[str, Any]]], now: str) -> None:
        given = [name for name in names if name != "status"]
        inserted = ["entity", "key", "pipeline", "status", "created_at", "updated_at", *given]
        updated = ["pipeline", "updated_at", *names]
        sql = (
            f"INSERT INTO ledger ({', '.join(inserted)}) VALUES ({', '.join('?' * len(inserted))}) "
            "ON CONFLICT (entity, key) DO UPDATE SET "
            + ", ".join(f"{name} = excluded.{name}" for name in updated)
        )
        self.db.executemany(sql, [
            (change.entity, change.key, change.pipeline, columns.get("status", "new"), now, now,
             *(columns[name] for name in given))
            for change, columns in group
        ])

    def start_send(self, entity: str, key: str, *, pipeline: str, run_id: int | None, status: str,
                   record: dict[str, Any], payload: Any) -> bool:
        """Record the intent to send one record (see `start_sends`); False when refused."""
        return bool(self.start_sends(entity, [(key, record, payload)], pipeline=pipeline, status=status))

    def start_sends(self, entity: str, sends: Iterable[Send], *, pipeline: str, status: str) -> set[str]:
        """Record the intent to send each record: its row is in flight until its outcome is recorded.
        Returns the keys recorded.

        A row held by a person or already in flight is refused (nothing is written for it): such a
        row is never sent, whoever asks. The check and the write are one statement per chunk, so
        no other writer can slip between them. A key given twice counts once.
        """
        now = utc_now()
        sends = list(sends)
        self.packer.learn(_records(entity, pipeline), [send[1] for send in sends if send[1] is not None])
        self.packer.learn(_payloads(entity, pipeline), [send[2] for send in sends if send[2] is not None])
        rows, payloads = [], {}
        for key, record, payload in sends:
            if key not in payloads:
                packed_record, payloads[key] = self._pack(entity, pipeline, record, payload)
                rows.append((entity, key, pipeline, status, packed_record, now, now))
        accepted: set[str] = set()
        for start in range(0, len(rows), INTENTS_PER_STATEMENT):
            chunk = rows[start:start + INTENTS_PER_STATEMENT]
            found = self.db.execute(
                "INSERT INTO ledger (entity, key, pipeline, status, record, created_at, updated_at, "
                "in_flight, attempts) VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?, 1, 1)"] * len(chunk))
                + " ON CONFLICT (entity, key) DO UPDATE SET pipeline = excluded.pipeline, "
                "status = excluded.status, record = excluded.record, updated_at = excluded.updated_at, "
                "in_flight = 1, resend = 0, attempts = ledger.attempts + 1 "
                "WHERE ledger.held = 0 AND ledger.in_flight = 0 RETURNING key",
                [value for row in chunk for value in row],
            )
            accepted.update(row["key"] for row in found)
        self._put_payloads([(entity, key, payloads[key]) for key in accepted])
        return accepted

    def record_deliveries(self, pipeline: str, entity: str, delivered: Iterable[tuple[str, str, str | None]]
                          ) -> None:
        """Remember what `pipeline` delivered, as (key, content hash, destination id): an unchanged
        record is not sent again."""
        now = utc_now()
        self.db.executemany(
            "INSERT INTO deliveries (pipeline, entity, key, content_hash, dest_id, delivered_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (pipeline, entity, key) DO UPDATE SET "
            "content_hash = excluded.content_hash, dest_id = excluded.dest_id, "
            "delivered_at = excluded.delivered_at",
            [(pipeline, entity, key, digest, dest_id, now) for key, digest, dest_id in delivered],
        )

    def record_delivery(self, pipeline: str, entity: str, key: str, content_hash: str, dest_id: str | None
                        ) -> None:
        self.record_deliveries(pipeline, entity, [(key, content_hash, dest_id)])

    def forget_delivery(self, pipeline: str, entity: str, key: str) -> None:
        self.db.execute(
            "DELETE FROM deliveries WHERE pipeline = ? AND entity = ? AND key = ?", (pipeline, entity, key)
        )

    def save_cursor(self, pipeline: str, cursor: dict[str, Any]) -> None:
        """Where `pipeline` resumes reading, in the same transaction as the outcomes that moved it."""
        self.db.execute(
            "INSERT INTO cursors (pipeline, cursor, updated_at) VALUES (?, ?, ?) ON CONFLICT (pipeline) "
            "DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
            (pipeline, json.dumps(cursor), utc_now()),
        )

    def holds_lease(self, lease: Lease) -> bool:
        """True while `lease` is still the pipeline's lease and has not expired (checked inside the
        transaction, so a run that lost its lease cannot record a new intent)."""
        return lease_is_held(self.db, lease)


_UNTOUCHED = object()  # a change that leaves the row's payload as it is


def _records(entity: str, pipeline: str) -> str:
    """The name of the shape dictionary of a pipeline's records of an entity."""
    return f"{pipeline}:{entity}"


def _payloads(entity: str, pipeline: str) -> str:
    return f"{pipeline}:{entity}:payload"


def lease_is_held(db: Database, lease: Lease) -> bool:
    """True while `lease` is still its pipeline's lease and has not expired."""
    return (
        db.execute(
            "SELECT 1 FROM leases WHERE pipeline = ? AND token = ? AND expires_at > ?",
            (lease.pipeline, lease.token, time.time()),
        ).fetchone()
        is not None
    )
