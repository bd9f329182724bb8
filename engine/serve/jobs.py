"""One scheduled pipeline of one client: when it is due, and what one turn of it does.

A turn: an idle check where the schedule allows it (one small request: anything new past the
cursor?), then a run through `engine.scheduled_run` (as Celery workers run one), then metrics,
health, alerts and log events.
A run asked to stop (its timeout passed, or serve is shutting down) stops after its current
page: every outcome it recorded stays, and the cursor never passes an unfinished page.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cartsync.engine.report import RunReport
from cartsync.engine.run_file import LoadedPipeline, OpenPipeline, RunOptions
from cartsync.engine.schedule.model import Every, PipelineSchedule
from cartsync.engine.scheduled_run import RunStopped, TurnResult, run_turn
from cartsync.engine.serve.alerting import connection_events, failing_key, held_event
from cartsync.engine.serve.logs import LOGGER, log_event

if TYPE_CHECKING:
    from cartsync.engine.serve.clients import ClientRuntime

logger = logging.getLogger(LOGGER)


class PipelineJob:
    def __init__(self, client: ClientRuntime, schedule: PipelineSchedule, loaded: LoadedPipeline) -> None:
        self.client = client
        self.schedule = schedule
        self.loaded = loaded
        self.name = loaded.name
        self.next_due = _first_due(schedule)
        self.running = False
        self.pushed = False  # a store notification asked for a run
        self.retired = False  # no longer in the schedule
        self.started: float | None = None
        self.thread: threading.Thread | None = None
        self._open: OpenPipeline | None = None
        self._stale = False  # the open pipeline belongs to an older version of the files
        self._stop: RunStopped | None = None  # set when the running run must stop
        self._last_full_run = 0.0  # monotonic time of the last run that was not skipped

    # -- changes from the scheduler -------------------------------------------------------

    def replace(self, schedule: PipelineSchedule, loaded: LoadedPipeline) -> None:
        """New validated files: the next turn opens them."""
        if schedule.trigger != self.schedule.trigger:
            self.next_due = _first_due(schedule)
        self.schedule, self.loaded = schedule, loaded
        self._stale = True
        if loaded.name != self.name:
            self.name = loaded.name

    def request_stop(self, reason: str) -> None:
        """Stop the running run after its current batch (`aborted`)."""
        self._stop = RunStopped(f"{self.name} stopped after its current batch: {reason}", "aborted")

    def overdue(self, now: float) -> bool:
        return (
            self.running
            and self.started is not None
            and now - self.started > self.schedule.timeout.total_seconds()
        )

    # -- one turn -------------------------------------------------------------------------

    def starting(self) -> None:
        """Mark the job running, before its thread starts (a stop asked from now on is kept)."""
        self.running, self.started, self._stop = True, time.monotonic(), None

    def turn(self, pushed: bool) -> TurnResult:
        """Run once (in the caller's thread) and report it; never raises."""
        started = time.monotonic()
        metrics = self.client.metrics
        labels = (self.client.name, self.name)
        metrics.running.labels(*labels).set(1)
        try:
            result = self._turn(pushed)
        except Exception as error:  # a bug must not stop the other pipelines
            logger.exception(
                "run crashed",
                extra={"event": "run_crashed", "fields": {"client": labels[0], "pipeline": labels[1]}},
            )
            result = TurnResult("error", error=f"{type(error).__name__}: {error}")
            self._close()
        finally:
            metrics.running.labels(*labels).set(0)
        if result.status != "idle":
            self._last_full_run = started
            self._finish(result, time.monotonic() - started)
        return result

    def _turn(self, pushed: bool) -> TurnResult:
        result = run_turn(
            self._pipeline,
            RunOptions(lease_seconds=self.client.lease_seconds),
            self._check_stop,
            idle=lambda pipeline: self._may_skip(pushed) and not self._source_changed(pipeline),
        )
        if result.status == "connect_error":
            self._close()  # sessions may be broken: the next turn logs in afresh
        return result

    def _source_changed(self, pipeline: OpenPipeline) -> bool:
        """The idle check: False only when the source says nothing is new past the cursor."""
        changed = pipeline.has_changes()
        result = {True: "changed", False: "idle", None: "unknown"}[changed]
        self.client.metrics.idle_checks.labels(self.client.name, self.name, result).inc()
        return changed is not False

    def _may_skip(self, pushed: bool) -> bool:
        if pushed or not self.schedule.skip_when_idle:
            return False
        return time.monotonic() - self._last_full_run < self.schedule.run_at_least_every.total_seconds()

    def _check_stop(self, report: RunReport) -> None:
        """Called by the runner after each page it read and each chunk of in-flight rows it settled:
        every outcome so far is recorded, so stopping here loses nothing."""
        if self._stop is None and self.overdue(time.monotonic()):
            self._stop = RunStopped(
                f"{self.name} stopped after its current batch: its timeout of {self.schedule.timeout} passed",
                "timeout",
            )
        if self._stop is not None:
            raise self._stop

    def _pipeline(self) -> OpenPipeline:
        if self._stale:
            self._close()
        if self._open is None:
            self._open = OpenPipeline(self.loaded, self.client.schedule.state)
            self._stale = False
        return self._open

    def _close(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None

    def close(self) -> None:
        self._close()

    # -- after a run ----------------------------------------------------------------------

    def _finish(self, result: TurnResult, seconds: float) -> None:
        client, name, metrics = self.client, self.name, self.client.metrics
        with client.monitoring() as monitoring:  # health first: a counted run has its health recorded
            before, after = monitoring.record_run(
                client.name, name, result.status, connected=result.connected, error=result.error
            )
            alerted = monitoring.has_event(client.name, failing_key(name, before.failing_since))
        metrics.runs.labels(client.name, name, result.status).inc()
        metrics.duration.labels(client.name, name).observe(seconds)
        report = result.report
        for outcome, count in report.counts.items() if report else ():
            metrics.records.labels(client.name, name, outcome).inc(count)
        if after.last_success_at:
            metrics.last_success.labels(client.name, name).set(
                datetime.fromisoformat(after.last_success_at).timestamp()
            )
        held = self._observe_ledger(report)
        log_event(
            logger,
            logging.INFO if result.status in ("ok", "failed") else logging.WARNING,
            "run_finished",
            f"{client.name}/{name}: run {result.status}" + (f": {result.error}" if result.error else ""),
            client=client.name,
            pipeline=name,
            run_id=report.run_id if report else None,
            status=result.status,
            seconds=round(seconds, 3),
            started=report.started if report else None,
            ended=report.ended if report else None,
            counts=dict(report.counts) if report else {},
        )
        for record in held:
            log_event(
                logger,
                logging.WARNING,
                "record_held",
                f"{client.name}/{name}: {record.key} held in error",
                client=client.name,
                pipeline=name,
                key=record.key,
                reason=record.message,
                run_id=report.run_id if report else None,
            )
        settings = client.alert_settings
        if held and settings.held_records:
            client.alerter.raise_event(
                client, held_event(client.name, name, report.run_id if report else None, held)
            )
        for event in connection_events(client.name, before, after, settings.connection_failures, alerted):
            client.alerter.raise_event(client, event)

    def _observe_ledger(self, report: RunReport | None) -> list:
        """Held records of this run; refresh the held and lag gauges."""
        pipeline = self._open
        if pipeline is None:
            return []
        labels = (self.client.name, self.name)
        held = pipeline.held_in(report) if report else []
        count = pipeline.held_count()
        self.client.held_counts[self.name] = count
        self.client.metrics.held.labels(*labels).set(count)
        self.client.metrics.lag.labels(*labels).set(pipeline.oldest_unsent_age())
        return held


def _first_due(schedule: PipelineSchedule) -> datetime:
    """Interval pipelines run at once; cron pipelines at their next time."""
    now = datetime.now(UTC)
    if isinstance(schedule.trigger, Every) and not schedule.is_quiet(now):
        return now
    return schedule.next_run(now)
