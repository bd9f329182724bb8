"""Starting due runs: every pipeline on its own schedule, never two runs of one pipeline at once.

One loop thread looks at every job a few times a second. A due job that is not running starts
in a thread of its own, so a slow or stuck client never delays another. Inside the process, a
job that is still running is not started again; across processes and hosts the pipeline's
lease in the state store keeps runs apart (a turn that finds it held by a live run ends as
`lease_held`; a run whose lease is taken away stops before its next batch, as `lease_lost`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from cartsync.engine.serve.alerting import Alerter
from cartsync.engine.serve.clients import ClientRuntime
from cartsync.engine.serve.jobs import PipelineJob
from cartsync.engine.serve.logs import LOGGER, log_event

logger = logging.getLogger(LOGGER)
TICK = 0.1  # seconds between looks at the jobs


class Scheduler:
    def __init__(
        self,
        clients: list[ClientRuntime],
        alerter: Alerter,
        *,
        reload_every: float = 2.0,
        check_every: float = 30.0,
    ) -> None:
        self.clients = {client.name: client for client in clients}
        self.alerter = alerter
        self.reload_every = reload_every
        self.check_every = check_every
        self.heartbeat = time.monotonic()
        self.stopping = threading.Event()
        self._wake = threading.Event()
        self._overdue_logged: set[int] = set()
        self._loop = threading.Thread(target=self.run, name="cartsync-scheduler", daemon=True)

    def jobs(self) -> list[PipelineJob]:
        return [job for client in self.clients.values() for job in [*client.jobs, *client.retired_jobs()]]

    # -- the loop -------------------------------------------------------------------------

    def start(self) -> None:
        self._loop.start()

    def run(self) -> None:
        """Loop until `stopping` is set (by `shutdown`)."""
        next_reload = next_check = time.monotonic()
        while not self.stopping.is_set():
            now = time.monotonic()
            self.heartbeat = now
            if now >= next_reload:
                for client in self.clients.values():
                    self._guarded(client, client.reload_if_changed)
                next_reload = now + self.reload_every
            if now >= next_check:
                for client in self.clients.values():
                    self._guarded(client, lambda c=client: self.alerter.check(c))
                next_check = now + self.check_every
            self._start_due(datetime.now(UTC))
            self._watch_overdue(now)
            self._wake.wait(TICK)
            self._wake.clear()

    def _start_due(self, moment: datetime) -> None:
        for client in self.clients.values():
            for job in client.jobs:
                if job.running or job.retired or not (job.pushed or moment >= job.next_due):
                    continue
                pushed, job.pushed = job.pushed, False
                if job.schedule.is_quiet(moment):
                    job.next_due = job.schedule.next_run(moment)
                    continue
                job.next_due = job.schedule.next_run(moment)
                self._start(job, pushed)

    def _start(self, job: PipelineJob, pushed: bool) -> None:
        job.starting()

        def turn() -> None:
            try:
                job.turn(pushed)
            finally:
                job.running = False
                self._wake.set()

        job.thread = threading.Thread(target=turn, name=f"cartsync-{job.client.name}-{job.name}", daemon=True)
        job.thread.start()

    def _watch_overdue(self, now: float) -> None:
        for job in self.jobs():
            if job.overdue(now) and id(job.thread) not in self._overdue_logged:
                self._overdue_logged.add(id(job.thread))
                log_event(
                    logger,
                    logging.WARNING,
                    "run_overdue",
                    f"{job.client.name}/{job.name}: run passed its timeout of {job.schedule.timeout}; "
                    "it stops after its current batch",
                    client=job.client.name,
                    pipeline=job.name,
                )

    def _guarded(self, client: ClientRuntime, action: Callable[[], object]) -> None:
        """One client's trouble (a broken state file, a bad alert setting) never stops the loop."""
        try:
            action()
        except Exception:
            logger.exception(
                f"{client.name}: housekeeping failed",
                extra={"event": "client_error", "fields": {"client": client.name}},
            )

    # -- from outside ---------------------------------------------------------------------

    def push(self, client_name: str) -> list[str]:
        """A store notification: start the client's `on_push` pipelines now (after a running
        run ends, another follows at once). Returns their names."""
        client = self.clients[client_name]
        started = []
        for job in client.jobs:
            if job.schedule.on_push and not job.retired:
                job.pushed = True
                started.append(job.name)
        self._wake.set()
        return started

    def shutdown(self, grace: float | None = None) -> bool:
        """Start nothing more; ask running runs to stop after their current batch and wait for
        them up to `grace` seconds (default: the longest run timeout). True when all ended."""
        self.stopping.set()
        self._wake.set()
        if self._loop.is_alive():
            self._loop.join()  # after this, no run starts
        running = [job for job in self.jobs() if job.running]
        for job in running:
            job.request_stop("serve is shutting down")
        if grace is None:
            grace = max((job.schedule.timeout.total_seconds() for job in running), default=0.0)
        deadline = time.monotonic() + grace
        for job in running:
            if job.thread is not None:
                job.thread.join(max(0.0, deadline - time.monotonic()))
        return not any(job.running for job in running)
