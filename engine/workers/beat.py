"""Celery beat from the clients' `schedule.yaml` files: the same files, read by the same loader
and the same model (`engine.schedule`) as `cartsync serve`.

`cartsync beat clients/acme clients/bravo` starts it (`celery -A cartsync.engine.workers.app beat`
does the same with the folders in CARTSYNC_CLIENTS). Each scheduled pipeline is one entry,
named `client/pipeline`, that sends `cartsync.run_pipeline(schedule file, pipeline file)`:

- due when the model says (`PipelineSchedule.next_run`: the interval or cron expression in the
  schedule's time zone, outside quiet hours); as under serve, an interval pipeline runs at start
  and a cron one at its next time;
- a run not started by the pipeline's next due moment expires: the next one takes its place;
- the worker stops a run after its current batch once its timeout has passed, and kills it
  `STOP_GRACE` later; a timeout beyond the workers' longest (CARTSYNC_MAX_RUN_TIMEOUT) is refused;
- changed schedule files are read again every `RELOAD_EVERY` seconds and applied when the client
  loads cleanly (schedule and pipelines), else logged while the previous entries keep running.
  Workers read pipeline and connection files at each run, so those need no reload here.

Beat keeps nothing on disk. Run exactly one: two would send every run twice (harmless, since
the lease keeps them apart, but wasteful).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from celery.beat import Scheduler
from celery.schedules import BaseSchedule, schedstate

from cartsync.engine.errors import ConfigError
from cartsync.engine.schedule import ClientSchedule, PipelineSchedule
from cartsync.engine.schedule.client_files import check_distinct, load_client
from cartsync.engine.schedule.loader import schedule_file
from cartsync.engine.schedule.model import Every
from cartsync.engine.serve.logs import log_event
from cartsync.engine.workers.settings import beat_clients, client_state, worker_settings
from cartsync.engine.workers.tasks import RUN_TASK

CLIENTS_SETTING = "cartsync_clients"  # app.conf key: the client folders `cartsync beat` was given
STOP_GRACE = timedelta(seconds=30)  # a run past its timeout has this long to end its batch
RELOAD_EVERY = 5.0  # seconds between looks at the schedule files
_TICK = timedelta(microseconds=1)
logger = logging.getLogger("cartsync.beat")


class PipelineTimetable(BaseSchedule):
    """Beat's view of one scheduled pipeline: first due at `first`, then at the schedule's next
    run after the moment the previous one was sent. Its entry starts with `last_run_at` set to
    `not_run_yet`, just before `since`, the moment the entry was made."""

    def __init__(self, plan: PipelineSchedule, since: datetime, nowfun: Any = None, app: Any = None) -> None:
        super().__init__(nowfun=nowfun, app=app)
        self.plan = plan
        self.since = since
        self.not_run_yet = since - _TICK
        self.first = first_run(plan, since)

    def due_after(self, last_run_at: datetime) -> datetime:
        last = self.maybe_make_aware(last_run_at)
        return self.first if last < self.since else self.plan.next_run(last)

    def remaining_estimate(self, last_run_at: datetime) -> timedelta:
        return self.due_after(last_run_at) - self.maybe_make_aware(self.now())

    def is_due(self, last_run_at: datetime) -> schedstate:
        now = self.maybe_make_aware(self.now())
        due = self.due_after(last_run_at)
        if due <= now:
            return schedstate(True, max(0.1, (self.plan.next_run(now) - now).total_seconds()))
        return schedstate(False, (due - now).total_seconds())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PipelineTimetable) and other.plan == self.plan

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{self.plan.trigger}>"


def first_run(plan: PipelineSchedule, now: datetime) -> datetime:
    """As under serve: an interval pipeline at once (at the end of quiet hours), a cron one at
    its next time."""
    if isinstance(plan.trigger, Every) and not plan.is_quiet(now):
        return now
    return plan.next_run(now)


@dataclass(frozen=True)
class BeatClient:
    """A client folder as beat schedules it."""

    folder: Path
    schedule: ClientSchedule
    state: str  # where its runs keep state
    entries: dict[str, dict[str, Any]]  # by entry name: task, plan, args, options


def load_beat_client(folder: Path, max_run_timeout: int) -> BeatClient:
    """The client's schedule with every pipeline checked, its state store and its entries.
    Raises ConfigError."""
    schedule, _ = load_client(folder)
    return BeatClient(Path(folder), schedule, client_state(schedule), beat_entries(schedule, max_run_timeout))


def load_beat_clients(folders: Iterable[Path], max_run_timeout: int) -> list[BeatClient]:
    """Every client, refusing two that share a name or a state store. Raises ConfigError."""
    clients = [load_beat_client(Path(folder), max_run_timeout) for folder in folders]
    check_distinct([(client.schedule.client, client.state) for client in clients])
    return clients


def beat_entries(client: ClientSchedule, max_run_timeout: int) -> dict[str, dict[str, Any]]:
    """The entries of one client, by name. A timeout beyond the workers' longest is refused: the
    broker would hand the task out again while it still runs."""
    entries: dict[str, dict[str, Any]] = {}
    for plan in client.pipelines:
        timeout = plan.timeout.total_seconds()
        if timeout > max_run_timeout:
            raise ConfigError(
                f"{client.path}: {plan.file.name} may run for {int(timeout)} s, longer than the "
                f"workers allow ({max_run_timeout} s).",
                hint="Shorten its timeout, or raise CARTSYNC_MAX_RUN_TIMEOUT on workers and beat.",
            )
        entries[f"{client.client}/{plan.file.stem}"] = {
            "task": RUN_TASK,
            "plan": plan,
            "args": (str(client.path.resolve()), str(plan.file.resolve())),
            "options": {
                "expires": _period(plan),
                "time_limit": timeout + STOP_GRACE.total_seconds(),
            },
        }
    return entries


def _period(plan: PipelineSchedule) -> float:
    """Seconds from one due moment to the next (the first two from now, for a cron expression)."""
    if isinstance(plan.trigger, Every):
        return max(1.0, plan.trigger.interval.total_seconds())
    first = plan.trigger.next_after(datetime.now(UTC).astimezone(plan.zone))
    return max(1.0, (plan.trigger.next_after(first) - first).total_seconds())


class ClientSchedules(Scheduler):
    """Celery beat's scheduler for client folders: the entries of every client's schedule."""

    def setup_schedule(self) -> None:
        folders = self.app.conf.get(CLIENTS_SETTING) or beat_clients()
        try:
            if not folders:
                raise ConfigError(
                    "beat was given no client folder.",
                    hint="cartsync beat clients/acme clients/bravo "
                    "(or CARTSYNC_CLIENTS=clients/acme:clients/bravo).",
                )
            self.max_run_timeout = worker_settings().max_run_timeout
            clients = load_beat_clients((Path(folder) for folder in folders), self.max_run_timeout)
        except ConfigError as error:
            log_event(logger, logging.ERROR, "config_rejected", f"beat cannot start: {error}")
            raise SystemExit(2) from None
        self.clients = {client.folder: client for client in clients}
        self.stamps = {folder: _stamp(folder) for folder in self.clients}
        since = self.app.now()
        self.data = self._entries(self.clients.values(), {}, since)
        self._next_look = time.monotonic() + RELOAD_EVERY
        log_event(
            logger,
            logging.INFO,
            "beat_started",
            f"beat schedules {len(self.data)} pipeline(s) of {len(self.clients)} client(s)",
            clients=sorted(client.schedule.client for client in clients),
            since=since.timestamp(),  # interval pipelines are first due at this moment
        )

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if time.monotonic() >= self._next_look:
            self._next_look = time.monotonic() + RELOAD_EVERY
            self.reload_changed()
        return min(super().tick(*args, **kwargs), RELOAD_EVERY)

    def reload_changed(self) -> list[str]:
        """Apply the changed schedules that load cleanly; returns the clients applied."""
        applied = []
        for folder, client in list(self.clients.items()):
            stamp = _stamp(folder)
            if stamp == self.stamps[folder]:
                continue
            try:
                changed = load_beat_client(folder, self.max_run_timeout)
                others = [c for f, c in self.clients.items() if f != folder]
                check_distinct([(c.schedule.client, c.state) for c in [*others, changed]])
            except ConfigError as error:
                if _stamp(folder) == stamp:  # not a file half-written: look again only after a change
                    self.stamps[folder] = stamp
                    log_event(
                        logger,
                        logging.ERROR,
                        "config_rejected",
                        f"{client.schedule.client}: the changed schedule is invalid; the previous one keeps "
                        f"running.\n{error}",
                        client=client.schedule.client,
                    )
                continue
            if _stamp(folder) != stamp:
                continue  # changed while read: apply it once it stays the same
            self.clients[folder], self.stamps[folder] = changed, stamp
            applied.append(changed.schedule.client)
            log_event(logger, logging.INFO, "config_reloaded", f"{changed.schedule.client}: schedule applied",
                      client=changed.schedule.client)
        if applied:
            self.data = self._entries(self.clients.values(), self.data, self.app.now())
        return applied

    def _entries(
        self, clients: Iterable[BeatClient], current: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        """Entries for `clients` from `now`; one whose plan and arguments did not change keeps its
        place in time (a new or changed one starts afresh, as under serve)."""
        entries = {}
        for client in clients:
            for name, entry in client.entries.items():
                old = current.get(name)
                timetable = PipelineTimetable(entry["plan"], now, app=self.app)
                fresh = self.Entry(
                    name=name,
                    task=entry["task"],
                    schedule=timetable,
                    args=entry["args"],
                    options=entry["options"],
                    last_run_at=timetable.not_run_yet,
                    app=self.app,
                )
                entries[name] = old if old is not None and old == fresh else fresh
        return entries

    def install_default_entries(self, data: Any) -> None:
        """None: runs keep no results, so there is nothing to clean up."""


def _stamp(folder: Path) -> tuple[int, int]:
    try:
        stat = schedule_file(folder).stat()
    except (ConfigError, OSError):
        return (-1, -1)
    return (stat.st_mtime_ns, stat.st_size)

