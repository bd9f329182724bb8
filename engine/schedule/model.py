"""A client's schedule as plain data: which pipelines run when, and whom to alert.

This model knows no runtime. `cartsync serve` runs it with its own scheduler; another runtime
(Celery beat) can run the same files through `PipelineSchedule.next_run`, which already
applies the interval or cron expression and the quiet hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Literal

from croniter import croniter

MAX_QUIET_SKIPS = 1000  # quiet hours cannot cover every moment a cron expression names; stop looking


@dataclass(frozen=True)
class Every:
    """Run this often, counted from the previous run's start."""

    interval: timedelta

    def next_after(self, moment: datetime) -> datetime:
        return moment + self.interval

    def __str__(self) -> str:
        return f"every {int(self.interval.total_seconds())}s"


@dataclass(frozen=True)
class Cron:
    """A five-field cron expression, read in the schedule's time zone."""

    expression: str

    def next_after(self, moment: datetime) -> datetime:
        return croniter(self.expression, moment).get_next(datetime)

    def __str__(self) -> str:
        return f"cron {self.expression}"


Trigger = Every | Cron


@dataclass(frozen=True)
class QuietHours:
    """A daily window [start, end) when no run starts; it may pass midnight."""

    start: time
    end: time

    def contains(self, moment: datetime) -> bool:
        now = moment.time().replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def end_after(self, moment: datetime) -> datetime:
        """The end of the window that contains `moment`."""
        end = moment.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        return end if end > moment else end + timedelta(days=1)


@dataclass(frozen=True)
class PipelineSchedule:
    """One scheduled pipeline. Times are aware datetimes; `zone` reads cron and quiet hours."""

    file: Path
    trigger: Trigger
    zone: tzinfo
    timeout: timedelta
    quiet_hours: tuple[QuietHours, ...] = ()
    skip_when_idle: bool = True
    run_at_least_every: timedelta = timedelta(minutes=10)
    on_push: bool = False

    def is_quiet(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return any(window.contains(local) for window in self.quiet_hours)

    def next_run(self, after: datetime) -> datetime:
        """The first moment after `after` at which this pipeline is due, outside quiet hours."""
        candidate = self.trigger.next_after(after.astimezone(self.zone))
        for _ in range(MAX_QUIET_SKIPS):
            window = next((w for w in self.quiet_hours if w.contains(candidate)), None)
            if window is None:
                return candidate
            end = window.end_after(candidate)
            candidate = end if isinstance(self.trigger, Every) else self.trigger.next_after(end - _TICK)
        return candidate


_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    sender: str
    port: int
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class EmailAlerts:
    to: tuple[str, ...]
    smtp: SmtpSettings


@dataclass(frozen=True)
class Webhook:
    url: str  # usually holds a token: registered as a secret, never logged or stored
    format: Literal["slack", "json"] = "slack"


@dataclass(frozen=True)
class AlertSettings:
    email: EmailAlerts | None = None
    webhooks: tuple[Webhook, ...] = ()
    held_records: bool = True
    connection_failures: int = 3  # 0: off
    not_succeeded_for: timedelta = timedelta(hours=3)
    daily_digest: time | None = None


@dataclass(frozen=True)
class ClientSchedule:
    """Everything one client's `schedule.yaml` says, with paths resolved."""

    path: Path
    client: str
    zone: tzinfo
    connections: Path
    state: Path | str  # a SQLite file, or a postgresql:// URL (one schema per client: ?schema=NAME)
    pipelines: tuple[PipelineSchedule, ...]
    alerts: AlertSettings = field(default_factory=AlertSettings)
    push_secret: str | None = None  # None: push is off (no `push:`, or an empty secret)
