"""What `cartsync serve` keeps beside the ledger: each pipeline's health, and every alert sent.

Two tables (migration 3). The SQL is portable (`?` parameters, `ON CONFLICT`, `RETURNING`), so a
PostgreSQL store runs the same statements through an adapter that turns `?` into `%s`.

`pipeline_health`: one row per (client, pipeline) that serve schedules.

| column | meaning |
|---|---|
| first_seen_at | when serve first scheduled it: the clock for "not succeeded for" before any success |
| last_run_at, last_status | the latest run's end and status (`RUN_STATUSES`) |
| last_success_at | the end of the latest run with status `ok` |
| consecutive_failures | runs in a row that could not connect or authenticate; 0 after one that could |
| failing_since | when that streak began (it names the streak in alert keys) |
| last_error | the latest failure's message, secrets masked |

`alerts`: one row per alert and destination; the web console lists them.

- `client`, `pipeline`: whom it is about (`pipeline` is NULL for the daily digest).
- `event`: `held_records`, `connection_failing`, `connection_recovered`, `not_succeeding` or
  `daily_digest`.
- `event_key`: the occurrence, e.g. `held_records:order_download:run-42`. The tuple
  (client, event_key, channel, recipient) is unique, so an event never goes twice to one place.
- `channel`: `email` or `webhook`.
- `recipient`: the addresses, comma-separated, or the webhook's `scheme://host` (never its URL,
  which holds a token).
- `subject`, `body`: what was sent, secrets masked.
- `status`: `sending` (claimed; it stays so if the process died while sending, and is not sent
  again), `sent`, or `failed` (tried again later).
- `attempts`, `error`: delivery attempts so far and the last delivery error.
- `created_at`, `sent_at`: ISO 8601, UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cartsync.engine.secrets import redact
from cartsync.engine.state.rows import utc_now
from cartsync.engine.state.store import StateStore

RUN_STATUSES = (
    "ok",
    "failed",
    "aborted",
    "timeout",
    "connect_error",
    "config_error",
    "lease_held",
    "lease_lost",
    "error",
)
EVENTS = ("held_records", "connection_failing", "connection_recovered", "not_succeeding", "daily_digest")


@dataclass(frozen=True)
class PipelineHealth:
    client: str
    pipeline: str
    first_seen_at: str
    last_run_at: str | None
    last_status: str | None
    last_success_at: str | None
    consecutive_failures: int
    failing_since: str | None
    last_error: str | None


@dataclass(frozen=True)
class Alert:
    """An alert to send (or sent) to one destination."""

    client: str
    pipeline: str | None
    event: str
    event_key: str
    channel: str
    recipient: str
    subject: str
    body: str


@dataclass(frozen=True)
class AlertRow:
    id: int
    alert: Alert
    status: str
    attempts: int
    error: str | None
    created_at: str
    sent_at: str | None


class Monitoring:
    """Typed access to `pipeline_health` and `alerts` in one state store."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    # -- pipeline health ------------------------------------------------------------------

    def scheduled(self, client: str, pipeline: str, now: str | None = None) -> PipelineHealth:
        """Note that serve schedules this pipeline (first time only) and return its health."""
        with self.store.transaction() as tx:
            tx.db.execute(
                "INSERT INTO pipeline_health (client, pipeline, first_seen_at) VALUES (?, ?, ?) "
                "ON CONFLICT (client, pipeline) DO NOTHING",
                (client, pipeline, now or utc_now()),
            )
        health = self.health(client, pipeline)
        assert health is not None
        return health

    def health(self, client: str, pipeline: str) -> PipelineHealth | None:
        row = self.store.db.execute(
            "SELECT * FROM pipeline_health WHERE client = ? AND pipeline = ?", (client, pipeline)
        ).fetchone()
        return PipelineHealth(**dict(row)) if row else None

    def all_health(self, client: str | None = None) -> list[PipelineHealth]:
        """The health of every pipeline of `client` (None: of every client in this store)."""
        where, args = ("WHERE client = ?", (client,)) if client else ("", ())
        rows = self.store.db.execute(f"SELECT * FROM pipeline_health {where} ORDER BY client, pipeline", args)
        return [PipelineHealth(**dict(row)) for row in rows]

    def record_run(
        self,
        client: str,
        pipeline: str,
        status: str,
        *,
        connected: bool | None,
        error: str | None = None,
        now: str | None = None,
    ) -> tuple[PipelineHealth, PipelineHealth]:
        """Record a run's end; return the health before and after it.

        `connected`: False when the run could not connect or authenticate (the failure streak
        grows), True when it could (the streak ends), None when it never tried (unchanged).
        """
        if status not in RUN_STATUSES:
            raise ValueError(f"unknown run status {status!r}")
        now = now or utc_now()
        before = self.scheduled(client, pipeline, now)
        if connected is False:
            failures, since = before.consecutive_failures + 1, before.failing_since or now
        elif connected:
            failures, since = 0, None
        else:
            failures, since = before.consecutive_failures, before.failing_since
        with self.store.transaction() as tx:
            tx.db.execute(
                "UPDATE pipeline_health SET last_run_at = ?, last_status = ?, "
                "last_success_at = COALESCE(?, last_success_at), "
                "consecutive_failures = ?, failing_since = ?, last_error = ? "
                "WHERE client = ? AND pipeline = ?",
                (
                    now,
                    status,
                    now if status == "ok" else None,
                    failures,
                    since,
                    redact(error) if error else None,
                    client,
                    pipeline,
                ),
            )
        after = self.health(client, pipeline)
        assert after is not None
        return before, after

    # -- alerts ---------------------------------------------------------------------------

    def claim(self, alert: Alert, now: str | None = None) -> int | None:
        """Record `alert` as being sent; its id, or None when this event already went (or is
        going) to this destination."""
        with self.store.transaction() as tx:
            claimed = tx.db.execute(
                "INSERT INTO alerts (client, pipeline, event, event_key, channel, recipient, subject, body, "
                "status, attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sending', 1, ?) "
                "ON CONFLICT (client, event_key, channel, recipient) DO NOTHING RETURNING id",
                (
                    alert.client,
                    alert.pipeline,
                    alert.event,
                    alert.event_key,
                    alert.channel,
                    alert.recipient,
                    redact(alert.subject),
                    redact(alert.body),
                    now or utc_now(),
                ),
            ).fetchall()
        return int(claimed[0]["id"]) if claimed else None

    def retry(self, alert_id: int) -> None:
        """Claim a failed alert again for another attempt."""
        with self.store.transaction() as tx:
            tx.db.execute(
                "UPDATE alerts SET status = 'sending', attempts = attempts + 1 "
                "WHERE id = ? AND status = 'failed'",
                (alert_id,),
            )

    def sent(self, alert_id: int, now: str | None = None) -> None:
        with self.store.transaction() as tx:
            tx.db.execute(
                "UPDATE alerts SET status = 'sent', sent_at = ?, error = NULL WHERE id = ?",
                (now or utc_now(), alert_id),
            )

    def failed(self, alert_id: int, error: str) -> None:
        with self.store.transaction() as tx:
            tx.db.execute(
                "UPDATE alerts SET status = 'failed', error = ? WHERE id = ?", (redact(error), alert_id)
            )

    def has_event(self, client: str, event_key: str) -> bool:
        """Whether any alert for this occurrence was claimed (sent, sending or failed)."""
        row = self.store.db.execute(
            "SELECT 1 FROM alerts WHERE client = ? AND event_key = ? LIMIT 1", (client, event_key)
        ).fetchone()
        return row is not None

    def failed_alerts(self, client: str, max_attempts: int) -> list[AlertRow]:
        rows = self.store.db.execute(
            "SELECT * FROM alerts WHERE client = ? AND status = 'failed' AND attempts < ? ORDER BY id",
            (client, max_attempts),
        )
        return [alert_row(row) for row in rows]

    def alerts(self, client: str | None = None, limit: int = 100) -> list[AlertRow]:
        """The newest alerts first."""
        where, args = ("WHERE client = ?", (client,)) if client else ("", ())
        rows = self.store.db.execute(f"SELECT * FROM alerts {where} ORDER BY id DESC LIMIT ?", (*args, limit))
        return [alert_row(row) for row in rows]


def alert_row(row: Any) -> AlertRow:
    """An `alerts` row as read by column name."""
    values = dict(row)
    alert = Alert(**{name: values.pop(name) for name in Alert.__dataclass_fields__})
    return AlertRow(alert=alert, **values)
