"""SQLite state store (WAL mode): the order ledger, cursors, run history and the run lock.

Every write that records an outcome commits before the engine moves on, so a crash loses
nothing that was delivered. Several pipelines share ledger rows by naming the same entity.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cartsync.engine.errors import LockHeld
from cartsync.engine.secrets import redact
from cartsync.engine.state.migrations import migrate

DEFAULT_PATH = Path(".cartsync/state.db")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class LedgerRow:
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
    def from_sql(cls, row: sqlite3.Row) -> LedgerRow:
        values = dict(row)
        for name in ("record", "payload"):
            values[name] = json.loads(values[name]) if values[name] is not None else None
        for name in ("in_flight", "transient", "held", "resend"):
            values[name] = bool(values[name])
        return cls(**values)


class StateStore:
    """One SQLite file. Open it with `StateStore.open(path)`; close it when done."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path

    @classmethod
    def open(cls, path: Path | str | None = None) -> StateStore:
        path = Path(path or os.environ.get("CARTSYNC_STATE") or DEFAULT_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        migrate(connection)
        return cls(connection, path)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, committed on success (durable once this block exits)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- lock -----------------------------------------------------------------------------

    def acquire_lock(self, pipeline: str) -> None:
        """Take the run lock of `pipeline`, or raise LockHeld naming the holder.

        A lock left by a process that no longer runs on this host is taken over.
        """
        me = f"{socket.gethostname()}:{os.getpid()}"
        with self.transaction() as db:
            row = db.execute(
                "SELECT holder, acquired_at FROM locks WHERE pipeline = ?", (pipeline,)
            ).fetchone()
            if row and not _holder_is_dead(row["holder"]):
                raise LockHeld(
                    f"Another run of pipeline '{pipeline}' is in progress "
                    f"(process {row['holder']}, since {row['acquired_at']}).",
                    hint="Wait for it to finish. Two runs of one pipeline never overlap.",
                )
            db.execute(
                "INSERT OR REPLACE INTO locks (pipeline, holder, acquired_at) VALUES (?, ?, ?)",
                (pipeline, me, utc_now()),
            )

    def release_lock(self, pipeline: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM locks WHERE pipeline = ?", (pipeline,))

    # -- runs -----------------------------------------------------------------------------

    def start_run(self, pipeline: str) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (pipeline, started_at, status) VALUES (?, ?, 'running')",
                (pipeline, utc_now()),
            )
            return int(cursor.lastrowid)

    def finish_run(
        self, run_id: int, status: str, counts: dict[str, int], message: str | None = None
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET ended_at = ?, status = ?, counts = ?, message = ? WHERE id = ?",
                (utc_now(), status, json.dumps(counts), redact(message) if message else None, run_id),
            )

    def runs(self, pipeline: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        query = (
            "SELECT * FROM runs" + (" WHERE pipeline = ?" if pipeline else "") + " ORDER BY id DESC LIMIT ?"
        )
        args: tuple[Any, ...] = (pipeline, limit) if pipeline else (limit,)
        return [{**dict(row), "counts": json.loads(row["counts"])} for row in self.db.execute(query, args)]

    # -- cursors --------------------------------------------------------------------------

    def cursor(self, pipeline: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT cursor FROM cursors WHERE pipeline = ?", (pipeline,)).fetchone()
        return json.loads(row["cursor"]) if row else None

    def save_cursor(self, pipeline: str, cursor: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO cursors (pipeline, cursor, updated_at) VALUES (?, ?, ?)",
                (pipeline, json.dumps(cursor), utc_now()),
            )

    def reset_cursor(self, pipeline: str) -> bool:
        with self.transaction() as db:
            return db.execute("DELETE FROM cursors WHERE pipeline = ?", (pipeline,)).rowcount > 0

    # -- ledger ---------------------------------------------------------------------------

    def row(self, entity: str, key: str) -> LedgerRow | None:
        found = self.db.execute("SELECT * FROM ledger WHERE entity = ? AND key = ?", (entity, key)).fetchone()
        return LedgerRow.from_sql(found) if found else None

    def rows(
        self,
        entity: str | None = None,
        *,
        status: str | None = None,
        since: str | None = None,
        where: str = "",
        args: tuple[Any, ...] = (),
        limit: int | None = None,
    ) -> list[LedgerRow]:
        clauses, values = [], []
        for clause, value in (("entity = ?", entity), ("status = ?", status), ("updated_at >= ?", since)):
            if value is not None:
                clauses.append(clause)
                values.append(value)
        if where:
            clauses.append(where)
            values.extend(args)
        query = "SELECT * FROM ledger" + (" WHERE " + " AND ".join(clauses) if clauses else "")
        query += " ORDER BY updated_at DESC, key" + (f" LIMIT {int(limit)}" if limit else "")
        return [LedgerRow.from_sql(row) for row in self.db.execute(query, values)]

    def upsert(
        self,
        db: sqlite3.Connection,
        entity: str,
        key: str,
        *,
        pipeline: str,
        run_id: int | None,
        event: str,
        message: str | None = None,
        **fields: Any,
    ) -> None:
        """Create or update a ledger row and append an event; call inside `transaction()`."""
        now = utc_now()
        for name in ("record", "payload"):
            if name in fields and fields[name] is not None:
                fields[name] = json.dumps(fields[name], sort_keys=True, default=str)
        if message is not None:
            message = redact(message)
        if fields.get("last_error"):
            fields["last_error"] = redact(fields["last_error"])
        exists = db.execute("SELECT 1 FROM ledger WHERE entity = ? AND key = ?", (entity, key)).fetchone()
        fields = {"pipeline": pipeline, **fields, "updated_at": now}
        if exists:
            assignments = ", ".join(f"{name} = ?" for name in fields)
            db.execute(
                f"UPDATE ledger SET {assignments} WHERE entity = ? AND key = ?",
                (*fields.values(), entity, key),
            )
        else:
            fields.setdefault("status", "new")
            columns = ["entity", "key", "created_at", *fields]
            db.execute(
                f"INSERT INTO ledger ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                (entity, key, now, *fields.values()),
            )
        status = fields.get("status")
        db.execute(
            "INSERT INTO ledger_events (entity, key, run_id, pipeline, event, status, message, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (entity, key, run_id, pipeline, event, status, message, now),
        )

    def events(self, entity: str, key: str) -> list[dict[str, Any]]:
        return [
            dict(row)
            for row in self.db.execute(
                "SELECT * FROM ledger_events WHERE entity = ? AND key = ? ORDER BY id", (entity, key)
            )
        ]

    def delivered_hash(self, pipeline: str, entity: str, key: str) -> str | None:
        row = self.db.execute(
            "SELECT content_hash FROM deliveries WHERE pipeline = ? AND entity = ? AND key = ?",
            (pipeline, entity, key),
        ).fetchone()
        return row["content_hash"] if row else None

    def record_delivery(
        self,
        db: sqlite3.Connection,
        pipeline: str,
        entity: str,
        key: str,
        content_hash: str,
        dest_id: str | None,
    ) -> None:
        db.execute(
            "INSERT OR REPLACE INTO deliveries (pipeline, entity, key, content_hash, dest_id, delivered_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (pipeline, entity, key, content_hash, dest_id, utc_now()),
        )

    def forget_deliveries(self, pipeline: str, since: str | None = None, key: str | None = None) -> int:
        """Forget what `pipeline` delivered, so it is sent again (all, since a time, or one key)."""
        query, args = "DELETE FROM deliveries WHERE pipeline = ?", [pipeline]
        if since:
            query += " AND delivered_at >= ?"
            args.append(since)
        if key:
            query += " AND key = ?"
            args.append(key)
        with self.transaction() as db:
            return db.execute(query, args).rowcount


def _holder_is_dead(holder: str) -> bool:
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
