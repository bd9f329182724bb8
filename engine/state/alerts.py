"""The alert log: every alert sent (or that failed to send), for people to read later.

`cartsync serve` calls `record_alert` once per alert and channel after trying to send it; the
console reads the log with `StateBrowser.alerts_page`. One row says what was sent (kind, subject,
body), when, to whom (recipients), how (channel), and whether it went out (status, error).
"""

from __future__ import annotations

import json

from cartsync.engine.secrets import redact
from cartsync.engine.state.rows import utc_now
from cartsync.engine.state.store import StateStore

ALERT_KINDS = ("held", "connection_failed", "recovered", "stale", "digest")
ALERT_CHANNELS = ("email", "webhook")


def record_alert(
    store: StateStore,
    *,
    kind: str,
    channel: str,
    recipients: list[str],
    subject: str,
    body: str | None = None,
    pipeline: str | None = None,
    error: str | None = None,
    sent_at: str | None = None,
) -> int:
    """Log one alert; `error` set means sending it failed. Returns the alert's id.

    `recipients` are email addresses, or for a webhook its host (never its full URL, which may
    carry a token). Secrets registered with `engine.secrets` are masked in the subject, body and error.
    """
    if kind not in ALERT_KINDS:
        raise ValueError(f"unknown alert kind {kind!r}; one of {', '.join(ALERT_KINDS)}")
    if channel not in ALERT_CHANNELS:
        raise ValueError(f"unknown alert channel {channel!r}; one of {', '.join(ALERT_CHANNELS)}")
    with store.transaction() as tx:
        cursor = tx.db.execute(
            "INSERT INTO alerts (sent_at, pipeline, kind, channel, recipients, subject, body, status, error)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                sent_at or utc_now(),
                pipeline,
                kind,
                channel,
                json.dumps(recipients),
                redact(subject),
                redact(body) if body else None,
                "failed" if error else "sent",
                redact(error) if error else None,
            ),
        )
        return int(cursor.lastrowid)
