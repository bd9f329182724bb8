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

_SHOWN = ("id", "pipeline", "started_at", "ended_at", "message", "status")

# A run's status as people see it: `died` for a run still marked `running` whose lease is gone or
# expired. Its one parameter is the current unix time.
STATUS_SQL = (
    "CASE WHEN status = 'running' AND NOT EXISTS (SELECT 1 FROM leases WHERE leases.pipeline = runs.pipeline "
    "AND leases.token = runs.lease AND leases.expires_at > ?) THEN 'died' ELSE status END"
)


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
        """The newest runs first: id, pipeline, started_at, ended_at, status, counts, message.

        A run still `running` whose lease is gone or expired is `died`, with a message saying so."""
        query = (
            "SELECT runs.id, runs.pipeline, runs.started_at, runs.ended_at, runs.counts, runs.message, "
            "runs.status, leases.holder, leases.expires_at FROM runs LEFT JOIN leases "
            "ON leases.pipeline = runs.pipeline AND leases.token = runs.lease"
            + (" WHERE runs.pipeline = ?" if pipeline else "") + " ORDER BY runs.id DESC LIMIT ?"
        )
        args: tuple[Any, ...] = (pipeline, limit) if pipeline else (limit,)
        now = time.time()
        shown = []
        for row in self.db.execute(query, args):
            run = {name: row[name] for name in _SHOWN}
            run["counts"] = json.loads(row["counts"])
            if run["status"] == "running" and (row["expires_at"] is None or row["expires_at"] <= now):
                run["status"] = "died"
                run["message"] = run["message"] or _no_end(row["holder"])
            shown.append(run)
        return shown


def _no_end(holder: str | None) -> str:
    """Why a run shows as died before another run took its lease over."""
    who = f"run by {holder}, which" if holder else "it"
    return f"died: {who} stopped renewing its lease (killed, or its machine was lost) and recorded no end"
