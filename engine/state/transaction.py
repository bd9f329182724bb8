"""The writes of one transaction on the state store, committed together."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from cartsync.engine.secrets import redact
from cartsync.engine.state.rows import RowChange, utc_now

if TYPE_CHECKING:
    from cartsync.engine.state.backend import Database
    from cartsync.engine.state.lease import Lease


class Transaction:
    """Obtained from `StateStore.transaction()`; nothing is visible to others until it commits."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def change(self, change: RowChange) -> None:
        """Create or update one ledger row and append its event."""
        now = utc_now()
        columns = {"pipeline": change.pipeline, **change.columns(), "updated_at": now}
        exists = self.db.execute(
            "SELECT 1 FROM ledger WHERE entity = ? AND key = ?", (change.entity, change.key)
        ).fetchone()
        inserted = {"status": "new", **columns}  # a new row starts as `new` unless told otherwise
        names = ["entity", "key", "created_at", *inserted]
        self.db.execute(
            f"INSERT INTO ledger ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
            "ON CONFLICT (entity, key) DO UPDATE SET "
            + ", ".join(f"{name} = excluded.{name}" for name in columns),
            (change.entity, change.key, now, *inserted.values()),
        )
        if not exists:
            columns = inserted
        self._event(
            change.entity,
            change.key,
            change.run_id,
            change.pipeline,
            change.event,
            columns.get("status"),
            change.message,
        )

    def start_send(
        self,
        entity: str,
        key: str,
        *,
        pipeline: str,
        run_id: int | None,
        status: str,
        record: dict[str, Any],
        payload: Any,
    ) -> bool:
        """Record the intent to send: the row is in flight until its outcome is recorded.

        Refused (False, nothing written) when the row is held by a person or already in flight:
        such a row is never sent, whoever asks.
        """
        now = utc_now()
        values = (
            pipeline,
            status,
            json.dumps(record, sort_keys=True, default=str),
            json.dumps(payload, sort_keys=True, default=str),
            now,
        )
        # One conditional write each way, so a hold or another send committed meanwhile wins.
        sent = self.db.execute(
            "UPDATE ledger SET pipeline = ?, status = ?, record = ?, payload = ?, updated_at = ?, "
            "in_flight = 1, resend = 0, attempts = attempts + 1 "
            "WHERE entity = ? AND key = ? AND held = 0 AND in_flight = 0",
            (*values, entity, key),
        ).rowcount
        if not sent:
            sent = self.db.execute(
                "INSERT INTO ledger (pipeline, status, record, payload, updated_at, entity, key, created_at, "
                "in_flight, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 1) "
                "ON CONFLICT (entity, key) DO NOTHING",
                (*values, entity, key, now),
            ).rowcount
        if not sent:
            return False
        self._event(entity, key, run_id, pipeline, "sending", status, None)
        return True

    def record_delivery(
        self, pipeline: str, entity: str, key: str, content_hash: str, dest_id: str | None
    ) -> None:
        """Remember what `pipeline` delivered for this key (an unchanged record is not sent again)."""
        self.db.execute(
            "INSERT INTO deliveries (pipeline, entity, key, content_hash, dest_id, delivered_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (pipeline, entity, key) DO UPDATE SET "
            "content_hash = excluded.content_hash, dest_id = excluded.dest_id, "
            "delivered_at = excluded.delivered_at",
            (pipeline, entity, key, content_hash, dest_id, utc_now()),
        )

    def forget_delivery(self, pipeline: str, entity: str, key: str) -> None:
        self.db.execute(
            "DELETE FROM deliveries WHERE pipeline = ? AND entity = ? AND key = ?", (pipeline, entity, key)
        )

    def holds_lease(self, lease: Lease) -> bool:
        """True while `lease` is still the pipeline's lease and has not expired (checked inside the
        transaction, so a run that lost its lease cannot record a new intent)."""
        return (
            self.db.execute(
                "SELECT 1 FROM leases WHERE pipeline = ? AND token = ? AND expires_at > ?",
                (lease.pipeline, lease.token, time.time()),
            ).fetchone()
            is not None
        )

    def _event(
        self,
        entity: str,
        key: str,
        run_id: int | None,
        pipeline: str,
        event: str,
        status: str | None,
        message: str | None,
    ) -> None:
        self.db.execute(
            "INSERT INTO ledger_events (entity, key, run_id, pipeline, event, status, message, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (entity, key, run_id, pipeline, event, status, redact(message) if message else None, utc_now()),
        )
