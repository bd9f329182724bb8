"""The run history: one row per run, with its counts and how it ended.

A run still marked `running` whose lease is gone or expired is shown as `died`: it was killed
(or lost its machine) before it could record how it ended.
"""

from __future__ import annotations

import json
import time
from typing import Any

from cartsync.engine.secrets import redact
from cartsync.engine.state.base import StoreBase
from cartsync.engine.state.lease import Lease
from cartsync.engine.state.rows import utc_now


class RunHistory(StoreBase):
    def start_run(self, pipeline: str, lease: Lease | None = None) -> int:
        with self.transaction() as tx:
            row = tx.db.execute(
                "INSERT INTO runs (pipeline, started_at, status, lease) VALUES (?, ?, 'running', ?) "
                "RETURNING id",
                (pipeline, utc_now(), lease.token if lease else None),
            ).fetchone()
            return int(row["id"])

    def finish_run(
        self, run_id: int, status: str, counts: dict[str, int], message: str | None = None
    ) -> None:
        with self.transaction() as tx:
            tx.db.execute(
                "UPDATE runs SET ended_at = ?, status = ?, counts = ?, message = ? WHERE id = ?",
                (utc_now(), status, json.dumps(counts), redact(message) if message else None, run_id),
            )

    def runs(self, pipeline: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """The newest runs first: id, pipeline, started_at, ended_at, status, counts, message."""
        query = (
            "SELECT id, pipeline, started_at, ended_at, counts, message, CASE WHEN status = 'running' "
            "AND NOT EXISTS (SELECT 1 FROM leases WHERE leases.pipeline = runs.pipeline "
            "AND leases.token = runs.lease AND leases.expires_at > ?) THEN 'died' ELSE status END AS status "
            "FROM runs" + (" WHERE pipeline = ?" if pipeline else "") + " ORDER BY id DESC LIMIT ?"
        )
        args: tuple[Any, ...] = (time.time(), pipeline, limit) if pipeline else (time.time(), limit)
        return [{**dict(row), "counts": json.loads(row["counts"])} for row in self.db.execute(query, args)]
