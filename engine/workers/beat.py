"""Celery beat entries from client schedules: the schedule files that `cartsync serve` runs.

The schedule model decides when a pipeline is due (its interval or cron expression, and quiet
hours); beat asks it through `next_run(after)`, so serve and beat agree on every moment. This
module only needs the model's few names below, which keeps it apart from how schedule files are
read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from celery.schedules import BaseSchedule, schedstate

from cartsync.engine.errors import ConfigError
from cartsync.engine.workers.tasks import RUN_TASK

# A run asked to stop at its timeout gets this long to stop before its process is killed.
STOP_GRACE = timedelta(seconds=30)


class ScheduledPipeline(Protocol):
    file: Path
    timeout: timedelta

    def next_run(self, after: datetime) -> datetime: ...


class ScheduledClient(Protocol):
    client: str
    connections: Path
    pipelines: Sequence[ScheduledPipeline]


class PipelineTimetable(BaseSchedule):
    """Beat's view of one scheduled pipeline: due once the schedule's next run after the last
    one has come."""

    def __init__(self, plan: ScheduledPipeline, nowfun: Any = None, app: Any = None) -> None:
        super().__init__(nowfun=nowfun, app=app)
        self.plan = plan

    def remaining_estimate(self, last_run_at: datetime) -> timedelta:
        return self.plan.next_run(self.maybe_make_aware(last_run_at)) - self.maybe_make_aware(self.now())

    def is_due(self, last_run_at: datetime) -> schedstate:
        now = self.maybe_make_aware(self.now())
        due = self.plan.next_run(self.maybe_make_aware(last_run_at))
        if due <= now:
            return schedstate(True, max(1.0, (self.plan.next_run(now) - now).total_seconds()))
        return schedstate(False, (due - now).total_seconds())

    def __reduce__(self) -> tuple[Any, ...]:  # beat keeps entries in its schedule file
        return (self.__class__, (self.plan, self.nowfun))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PipelineTimetable) and other.plan == self.plan

    __hash__ = None  # type: ignore[assignment]


def beat_entries(clients: Iterable[ScheduledClient], max_run_timeout: int, now: datetime) -> dict[str, Any]:
    """One beat entry per scheduled pipeline, named `client/pipeline`.

    A run that has not started by its pipeline's next due moment expires (the next one takes its
    place); a run is stopped at its timeout. A timeout beyond the workers' longest
    (CARTSYNC_MAX_RUN_TIMEOUT) is refused: the broker would hand the task out again meanwhile.
    """
    entries: dict[str, Any] = {}
    for client in clients:
        for plan in client.pipelines:
            timeout = plan.timeout.total_seconds()
            if timeout > max_run_timeout:
                raise ConfigError(
                    f"{client.client}: {plan.file.name} may run for {int(timeout)} s, longer than the "
                    f"workers allow ({max_run_timeout} s).",
                    hint="Shorten its timeout, or raise CARTSYNC_MAX_RUN_TIMEOUT on workers and beat.",
                )
            first = plan.next_run(now)
            entries[f"{client.client}/{plan.file.stem}"] = {
                "task": RUN_TASK,
                "schedule": PipelineTimetable(plan),
                "args": (client.client, str(plan.file.resolve()), str(client.connections.resolve())),
                "options": {
                    "expires": max(1.0, (plan.next_run(first) - first).total_seconds()),
                    "soft_time_limit": timeout,
                    "time_limit": timeout + STOP_GRACE.total_seconds(),
                },
            }
    return entries
