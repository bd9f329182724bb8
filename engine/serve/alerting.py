"""Alerts: which events call for one, recording each once, and sending them in the background.

Events (per client, to every channel of its `alerts:` settings):

- `held_records`: a run held records in `error` (one alert per run, listing them);
- `connection_failing`: a pipeline could not connect N runs in a row; `connection_recovered`
  when it connects again after such an alert;
- `not_succeeding`: no clean run for longer than `not_succeeded_for` (once per stretch);
- `daily_digest`: once a day at `daily_digest`.

An alert is claimed in the state store (`Monitoring.claim`) before it is sent; the claim is
unique per occurrence and destination, so nothing is sent twice, even across restarts. A
delivery that fails is tried again on later checks, up to `MAX_ATTEMPTS`.
"""

from __future__ import annotations

import logging
import queue
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Protocol

from cartsync.engine.run_file import HeldRecord
from cartsync.engine.schedule.model import AlertSettings
from cartsync.engine.serve.alert_channels import Channel, DeliveryError
from cartsync.engine.serve.logs import LOGGER, log_event
from cartsync.engine.serve.metrics import ServeMetrics
from cartsync.engine.state.monitoring import Alert, Monitoring, PipelineHealth

MAX_ATTEMPTS = 5
HELD_LISTED = 50  # records listed in one held_records alert; the rest are counted
logger = logging.getLogger(LOGGER)


@dataclass(frozen=True)
class Event:
    pipeline: str | None
    event: str
    key: str
    subject: str
    body: str


class AlertingClient(Protocol):
    """What the alerter needs of a client."""

    name: str
    zone: tzinfo
    held_counts: dict[str, int]  # records held in error now, per pipeline
    jobs: list[Any]  # the scheduled pipelines, each with a `name`

    @property
    def alert_settings(self) -> AlertSettings: ...

    @property
    def channels(self) -> list[Channel]: ...

    def monitoring(self) -> AbstractContextManager[Monitoring]: ...


# -- the rules ------------------------------------------------------------------------------


def held_event(client: str, pipeline: str, run_id: int | None, held: list[HeldRecord]) -> Event:
    lines = [f"- {record.key}: {record.message}" for record in held[:HELD_LISTED]]
    if len(held) > HELD_LISTED:
        lines.append(f"… and {len(held) - HELD_LISTED} more")
    body = (
        f"Run {run_id} of {pipeline} held {len(held)} record(s) in error. They wait until a person "
        f"fixes the cause and resends them (cartsync orders resend KEY):\n\n" + "\n".join(lines)
    )
    return Event(
        pipeline,
        "held_records",
        f"held_records:{pipeline}:run-{run_id}",
        f"[cartsync {client}] {pipeline}: {len(held)} record(s) held in error",
        body,
    )


def connection_events(
    client: str, before: PipelineHealth, after: PipelineHealth, threshold: int, alerted: bool
) -> list[Event]:
    """`alerted`: whether the streak that just ended had its failing alert."""
    if threshold <= 0:
        return []
    pipeline = after.pipeline
    if after.consecutive_failures >= threshold > before.consecutive_failures:
        body = (
            f"{pipeline} could not connect in {after.consecutive_failures} runs in a row "
            f"(since {after.failing_since}). Nothing is lost: records wait in the store and the ledger.\n\n"
            f"Last error: {after.last_error}"
        )
        return [
            Event(
                pipeline,
                "connection_failing",
                f"connection_failing:{pipeline}:{after.failing_since}",
                f"[cartsync {client}] {pipeline}: connection failing",
                body,
            )
        ]
    if before.consecutive_failures >= threshold and after.consecutive_failures == 0 and alerted:
        body = (
            f"{pipeline} connects again (it failed {before.consecutive_failures} runs in a row since "
            f"{before.failing_since})."
        )
        return [
            Event(
                pipeline,
                "connection_recovered",
                f"connection_recovered:{pipeline}:{before.failing_since}",
                f"[cartsync {client}] {pipeline}: connection recovered",
                body,
            )
        ]
    return []


def failing_key(pipeline: str, failing_since: str | None) -> str:
    return f"connection_failing:{pipeline}:{failing_since}"


def stall_event(client: str, health: PipelineHealth, threshold: timedelta, now: datetime) -> Event | None:
    reference = health.last_success_at or health.first_seen_at
    if now - datetime.fromisoformat(reference) <= threshold:
        return None
    since = (
        f"since {health.last_success_at}" if health.last_success_at else f"since serve began ({reference})"
    )
    body = (
        f"{health.pipeline} has not completed a clean run {since}. Last run: {health.last_run_at or 'none'}"
        f" ({health.last_status or 'not run yet'}). Last error: {health.last_error or 'none'}."
    )
    return Event(
        health.pipeline,
        "not_succeeding",
        f"not_succeeding:{health.pipeline}:{reference}",
        f"[cartsync {client}] {health.pipeline}: no clean run {since}",
        body,
    )


def digest_event(client: str, day: str, health: list[PipelineHealth], held: dict[str, int]) -> Event:
    lines = []
    for item in health:
        lines.append(
            f"- {item.pipeline}: last run {item.last_run_at or 'never'} ({item.last_status or '-'}), "
            f"last clean run {item.last_success_at or 'never'}, held in error {held.get(item.pipeline, 0)}"
            + (
                f", failing to connect {item.consecutive_failures} runs in a row"
                if item.consecutive_failures
                else ""
            )
        )
    return Event(
        None,
        "daily_digest",
        f"daily_digest:{day}",
        f"[cartsync {client}] daily digest {day}",
        "\n".join(lines) or "No pipeline is scheduled.",
    )


# -- recording and sending ------------------------------------------------------------------


class Alerter:
    """Records alerts once and sends them from one background thread."""

    def __init__(self, metrics: ServeMetrics) -> None:
        self.metrics = metrics
        self._queue: queue.Queue[tuple[AlertingClient, int, Alert, Channel]] = queue.Queue()
        self._thread = threading.Thread(target=self._deliver_all, name="cartsync-alerts", daemon=True)
        self._thread.start()

    def raise_event(self, client: AlertingClient, event: Event) -> None:
        """Claim `event` for every channel of `client` and queue what was not sent before."""
        for channel in client.channels:
            alert = Alert(
                client.name,
                event.pipeline,
                event.event,
                event.key,
                channel.kind,
                channel.label,
                event.subject,
                event.body,
            )
            with client.monitoring() as monitoring:
                claimed = monitoring.claim(alert)
            if claimed is not None:
                self._queue.put((client, claimed, alert, channel))

    def check(self, client: AlertingClient, now: datetime | None = None) -> None:
        """The time-based rules (stalls, the digest) and retries of failed deliveries."""
        settings = client.alert_settings
        if not client.channels:
            return
        now = now or datetime.now(UTC)
        scheduled = {job.name for job in client.jobs}
        with client.monitoring() as monitoring:
            health = [item for item in monitoring.all_health(client.name) if item.pipeline in scheduled]
            retries = monitoring.failed_alerts(client.name, MAX_ATTEMPTS)
            for row in retries:
                monitoring.retry(row.id)
        for item in health:
            event = stall_event(client.name, item, settings.not_succeeded_for, now)
            if event is not None:
                self.raise_event(client, event)
        if settings.daily_digest is not None:
            local = now.astimezone(client.zone)
            if local.time().replace(tzinfo=None) >= settings.daily_digest:
                self.raise_event(
                    client,
                    digest_event(client.name, local.date().isoformat(), health, dict(client.held_counts)),
                )
        channels = {(channel.kind, channel.label): channel for channel in client.channels}
        for row in retries:
            channel = channels.get((row.alert.channel, row.alert.recipient))
            if channel is not None:
                self._queue.put((client, row.id, row.alert, channel))

    def drain(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for queued alerts to go out."""
        deadline = threading.Event()
        timer = threading.Timer(timeout, deadline.set)
        timer.start()
        try:
            while self._queue.unfinished_tasks and not deadline.wait(0.05):
                pass
        finally:
            timer.cancel()

    def _deliver_all(self) -> None:
        while True:
            client, alert_id, alert, channel = self._queue.get()
            try:
                channel.deliver(alert)
            except DeliveryError as error:
                self._record(client, alert_id, alert, channel, str(error))
            else:
                self._record(client, alert_id, alert, channel, None)
            finally:
                self._queue.task_done()

    def _record(
        self, client: AlertingClient, alert_id: int, alert: Alert, channel: Channel, error: str | None
    ) -> None:
        with client.monitoring() as monitoring:
            if error is None:
                monitoring.sent(alert_id)
            else:
                monitoring.failed(alert_id, error)
        result = "sent" if error is None else "failed"
        self.metrics.alerts.labels(client.name, alert.event, channel.kind, result).inc()
        message = f"alert sent: {alert.subject}" if error is None else f"alert not delivered: {error}"
        log_event(
            logger,
            logging.INFO if error is None else logging.WARNING,
            f"alert_{result}",
            message,
            client=client.name,
            pipeline=alert.pipeline,
            alert=alert.event,
            channel=channel.kind,
            recipient=channel.label,
        )
