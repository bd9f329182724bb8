"""One scheduled run on a worker, as `cartsync serve` runs one (`engine.scheduled_run`).

The worker reads the client's files afresh for each run: the schedule (its state store, the
pipeline's timeout and idle settings) and the pipeline with its connections. A run stops after
its current batch once its timeout has passed, and records its pipeline's health as serve does.
A pipeline the schedule no longer names (beat sent the run before the file changed) is not run.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from cartsync.engine.errors import ConfigError
from cartsync.engine.report import RunReport
from cartsync.engine.run_file import OpenPipeline, RunOptions, load_pipeline_file
from cartsync.engine.schedule import ClientSchedule, PipelineSchedule, load_schedule
from cartsync.engine.scheduled_run import RunStopped, TurnResult, run_turn
from cartsync.engine.state.monitoring import Monitoring
from cartsync.engine.workers.settings import client_state


class WorkerTurn:
    def __init__(self, schedule_file: Path, pipeline_file: Path, lease_seconds: float) -> None:
        self.schedule_file = schedule_file
        self.pipeline_file = pipeline_file
        self.lease_seconds = lease_seconds
        self.client = schedule_file.parent.name  # until the schedule is read
        self.name = pipeline_file.stem  # until the pipeline is read
        self.entry: PipelineSchedule | None = None
        self.started = time.monotonic()
        self._pipeline: OpenPipeline | None = None

    def run(self) -> TurnResult:
        with ExitStack() as stack:
            result = run_turn(
                lambda: self._open(stack), RunOptions(lease_seconds=self.lease_seconds), self._check_stop,
                idle=self._idle,
            )
            if self._pipeline is not None and result.status != "idle":
                Monitoring(self._pipeline.store).record_run(
                    self.client, self.name, result.status, connected=result.connected, error=result.error
                )
            return result

    def _open(self, stack: ExitStack) -> OpenPipeline:
        schedule = load_schedule(self.schedule_file)
        self.client = schedule.client
        self.entry = scheduled(schedule, self.pipeline_file)
        loaded = load_pipeline_file(self.entry.file, schedule.connections)
        self.name = loaded.name
        self._pipeline = stack.enter_context(OpenPipeline(loaded, client_state(schedule)))
        return self._pipeline

    def _idle(self, pipeline: OpenPipeline) -> bool:
        """Skip the run when the source says nothing is new past the cursor, unless the latest run
        began `run_at_least_every` ago or longer (resends, retries and the overlap window need one)."""
        entry = self.entry
        if entry is None or not entry.skip_when_idle:
            return False
        latest = pipeline.store.runs(pipeline.name, limit=1)
        if not latest:
            return False
        since = datetime.now(UTC) - datetime.fromisoformat(latest[0]["started_at"])
        return since < entry.run_at_least_every and pipeline.has_changes() is False

    def _check_stop(self, report: RunReport) -> None:
        """Called after each page: past its timeout, the run stops here, every outcome recorded."""
        if self.entry is not None and time.monotonic() - self.started > self.entry.timeout.total_seconds():
            raise RunStopped(
                f"{self.name} stopped after its current batch: its timeout of {self.entry.timeout} passed",
                "timeout",
            )


def scheduled(schedule: ClientSchedule, pipeline_file: Path) -> PipelineSchedule:
    """The schedule's entry for `pipeline_file`, or ConfigError when it names it no more."""
    target = pipeline_file.resolve()
    for entry in schedule.pipelines:
        if entry.file.resolve() == target:
            return entry
    raise ConfigError(
        f"{schedule.path} does not schedule {pipeline_file}: not run.",
        hint="beat reads changed schedules within seconds; a run it sent before the change is dropped.",
    )
