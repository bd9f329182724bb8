"""One client under serve: its validated files, its jobs, and reloading them when they change.

Files are read once and run from memory. When any file the client uses changes (the schedule,
connections, pipelines, what they extend, lookup tables), everything is loaded and validated
again; only when all of it is valid does it replace what runs. Otherwise the old files keep
running and the problems are logged once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import tzinfo
from pathlib import Path

import yaml

from cartsync.engine.errors import ConfigError
from cartsync.engine.run_file import LoadedPipeline
from cartsync.engine.schedule import ClientSchedule
from cartsync.engine.schedule.client_files import load_client
from cartsync.engine.schedule.model import AlertSettings
from cartsync.engine.serve.alert_channels import Channel, channels_for
from cartsync.engine.serve.alerting import Alerter
from cartsync.engine.serve.jobs import PipelineJob
from cartsync.engine.serve.logs import LOGGER, log_event
from cartsync.engine.serve.metrics import ServeMetrics
from cartsync.engine.state import DEFAULT_LEASE_SECONDS, StateStore
from cartsync.engine.state.monitoring import Monitoring

logger = logging.getLogger(LOGGER)

Fingerprint = tuple[tuple[str, int, int], ...]


class ClientRuntime:
    def __init__(
        self,
        folder: Path,
        metrics: ServeMetrics,
        alerter: Alerter,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> None:
        self.folder = Path(folder)
        self.metrics = metrics
        self.alerter = alerter
        self.lease_seconds = lease_seconds  # each run's lease: how long a run that died blocks its pipeline
        self.held_counts: dict[str, int] = {}
        self.schedule, loaded = load_client(self.folder)
        self.name = self.schedule.client
        self.jobs = [
            PipelineJob(self, entry, pipeline)
            for entry, pipeline in zip(self.schedule.pipelines, loaded, strict=True)
        ]
        self._retired: list[PipelineJob] = []
        self._lock = threading.Lock()
        self._monitoring_store = StateStore.open(self.schedule.state)
        self._fingerprint = self._files_fingerprint()
        _note_push_off(self.schedule)
        self._rejected: Fingerprint | None = None
        with self.monitoring() as monitoring:
            for job in self.jobs:
                monitoring.scheduled(self.name, job.name)

    # -- what the alerter and the jobs use -------------------------------------------------

    @property
    def zone(self) -> tzinfo:
        return self.schedule.zone

    @property
    def alert_settings(self) -> AlertSettings:
        return self.schedule.alerts

    @property
    def channels(self) -> list[Channel]:
        return channels_for(self.schedule.alerts.email, self.schedule.alerts.webhooks)

    @contextmanager
    def monitoring(self) -> Iterator[Monitoring]:
        """The client's health and alert records, one user at a time."""
        with self._lock:
            yield Monitoring(self._monitoring_store)

    # -- reloading ------------------------------------------------------------------------

    def reload_if_changed(self) -> bool:
        """Load changed files; apply them when all are valid. True when applied."""
        fingerprint = self._files_fingerprint()
        if fingerprint == self._fingerprint or fingerprint == self._rejected:
            return False
        try:
            schedule, loaded = load_client(self.folder)
        except ConfigError as error:
            if self._files_fingerprint() != fingerprint:
                return False  # a file changed while it was read (still being written): look again
            self._rejected = fingerprint
            self.metrics.reloads.labels(self.name, "rejected").inc()
            log_event(
                logger,
                logging.ERROR,
                "config_rejected",
                f"{self.name}: changed files are invalid; the previous ones keep running.\n{error}",
                client=self.name,
            )
            return False
        if self._files_fingerprint() != fingerprint:
            return False  # read half-written, perhaps: apply only what stayed the same while read
        self._apply(schedule, loaded)
        self._fingerprint, self._rejected = fingerprint, None
        self.metrics.reloads.labels(self.name, "applied").inc()
        log_event(
            logger,
            logging.INFO,
            "config_reloaded",
            f"{self.name}: changed files applied",
            client=self.name,
            pipelines=[pipeline.name for pipeline in loaded],
        )
        return True

    def _apply(self, schedule: ClientSchedule, loaded: list[LoadedPipeline]) -> None:
        by_file = {job.schedule.file.resolve(): job for job in self.jobs}
        jobs = []
        for entry, pipeline in zip(schedule.pipelines, loaded, strict=True):
            job = by_file.pop(entry.file.resolve(), None)
            if job is None:
                job = PipelineJob(self, entry, pipeline)
            else:
                job.replace(entry, pipeline)
            jobs.append(job)
        for job in by_file.values():
            job.retired = True
            self._retired.append(job)
        self.retired_jobs()
        if schedule.push_secret != self.schedule.push_secret:
            _note_push_off(schedule)
        self.schedule, self.jobs = schedule, jobs
        with self.monitoring() as monitoring:
            for job in jobs:
                monitoring.scheduled(self.name, job.name)

    def retired_jobs(self) -> list[PipelineJob]:
        """Jobs removed from the schedule whose last run is still going on; the others are closed."""
        for job in self._retired:
            if not job.running:
                job.close()
        self._retired = [job for job in self._retired if job.running]
        return list(self._retired)

    def _files_fingerprint(self) -> Fingerprint:
        """(path, mtime, size) of every file the client's configuration reads."""
        files = {self.schedule.path, self.schedule.connections}
        for job in self.jobs:
            files |= pipeline_files(job.schedule.file)
        stamps = []
        for file in sorted(files):
            try:
                stat = file.stat()
            except OSError:
                stamps.append((str(file), -1, -1))
                continue
            stamps.append((str(file), stat.st_mtime_ns, stat.st_size))
        return tuple(stamps)

    def close(self) -> None:
        for job in [*self.jobs, *self._retired]:
            job.close()
        self._monitoring_store.close()


def _note_push_off(schedule: ClientSchedule) -> None:
    """Say so when pipelines wait for store notifications that serve will refuse."""
    pushed = [entry.file.name for entry in schedule.pipelines if entry.on_push]
    if schedule.push_secret is None and pushed:
        log_event(
            logger,
            logging.INFO,
            "push_off",
            f"{schedule.client}: push is off (no push secret in {schedule.path.name}); "
            f"{', '.join(pushed)} run on their schedule alone",
            client=schedule.client,
        )


def pipeline_files(file: Path) -> set[Path]:
    """A pipeline file, the files it extends, and the lookup tables any of them names."""
    found: set[Path] = set()
    for _ in range(20):  # extends chains are short; a cycle is reported by validation
        file = file.resolve()
        found.add(file)
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            break
        if not isinstance(data, dict):
            break
        lookups = data.get("lookups")
        for table in lookups.values() if isinstance(lookups, dict) else ():
            if isinstance(table, str):
                found.add((file.parent / table).resolve())
        base = data.get("extends")
        if not isinstance(base, str):
            break
        file = file.parent / base
    return found
