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
from cartsync.engine.state.rows import utc_now_precise

_SHOWN = ("id", "pipeline", "started_at", "ended_at", "message", "status")

# The runs as people see them, to select from as from a table: a run still marked `running` whose
# lease is gone or expired has the status `died`, and `lease_holder` names who held that lease (if
# no other run has taken it since). Its one parameter is the current unix time. The console pages
# and filters runs by this status, and `runs()` reads it too, so both call the same runs died.
RUNS_SEEN = (
    "(SELECT runs.id, runs.pipeline, runs.started_at, runs.ended_at, runs.counts, runs.message, "
    "CASE WHEN runs.status = 'running' AND (leases.expires_at IS NULL OR leases.expires_at <= ?) "
    "THEN 'died' ELSE runs.status END AS status, leases.holder AS lease_holder "
    "FROM runs LEFT JOIN leases ON leases.pipeline = runs.pipeline AND leases.token = runs.lease)"
    " AS runs_seen"
)


class RunHistory(StoreBase):
    def start_run(self, pipeline: str, lease: Lease | None = None) -> int:
        with self.transaction() as tx:
            row = tx.db.execute(
                "INSERT INTO runs (pipeline, started_at, status, lease) VALUES (?, ?, 'running', ?) "
                "RETURNING id",
                (pipeline, utc_now_precise(), lease.token if lease else None),
            ).fetchone()
            return int(row["id"])

    def finish_run(
        self, run_id: int, status: str, counts: dict[str, int], message: str | None = None
    ) -> None:
        with self.transaction() as tx:
            tx.db.execute(
                "UPDATE runs SET ended_at = ?, status = ?, counts = ?, message = ? WHERE id = ?",
                (utc_now_precise(), status, json.dumps(counts), redact(message) if message else None, run_id),
            )

    def runs(self, pipeline: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """The newest runs first: id, pipeline, started_at, ended_at, status, counts, message.

        A run still `running` whose lease is gone or expired is `died`, with a message saying so."""
        where, args = (" WHERE pipeline = ?", (pipeline,)) if pipeline else ("", ())
        rows = self.db.execute(
            f"SELECT * FROM {RUNS_SEEN}{where} ORDER BY id DESC LIMIT ?", (time.time(), *args, limit)
        )
        return [seen_run(row) for row in rows]


def seen_run(row: Any) -> dict[str, Any]:
    """A row of RUNS_SEEN for people: its counts decoded, and a died run's message saying why."""
    run = {name: row[name] for name in _SHOWN}
    run["counts"] = json.loads(row["counts"] or "{}")
    if run["status"] == "died":
        run["message"] = run["message"] or _no_end(row["lease_holder"])
    return run


def _no_end(holder: str | None) -> str:
    """Why a run shows as died before another run took its lease over."""
    who = f"run by {holder}, which" if holder else "it"
    return f"died: {who} stopped renewing its lease (killed, or its machine was lost) and recorded no end"
