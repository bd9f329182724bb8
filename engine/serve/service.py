"""`cartsync serve`: assemble clients, scheduler, alerts and the HTTP side; stop on SIGTERM.

On SIGTERM (or Ctrl-C) serve starts nothing new, asks running runs to stop after their
current batch, waits for them up to the longest run timeout, sends queued alerts, and exits.
Every outcome a run recorded stays recorded, and a send whose answer never came stays in
flight: the next run asks the destination about it before anything is sent again, so stopping
loses nothing and sends nothing twice. A run still going after the grace time is left to die
with the process; its lease expires by itself (`--lease`), and the next run, on any host,
takes it over and settles what it left in flight.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from starlette.routing import BaseRoute

from cartsync.engine.schedule.client_files import check_distinct
from cartsync.engine.serve.alerting import Alerter
from cartsync.engine.serve.clients import ClientRuntime
from cartsync.engine.serve.http import HttpServer, ServeStatus, build_app
from cartsync.engine.serve.logs import LOGGER, log_event
from cartsync.engine.serve.metrics import ServeMetrics
from cartsync.engine.serve.scheduler import Scheduler
from cartsync.engine.state import DEFAULT_LEASE_SECONDS

logger = logging.getLogger(LOGGER)
ALERT_DRAIN_SECONDS = 10.0

# Routes to serve beside /metrics and the rest, made once the clients are loaded (the web console
# mounts one app per client, over that client's state store and schedule).
Mounts = Callable[[Sequence[ClientRuntime]], Sequence[BaseRoute]]


class Serve:
    def __init__(
        self,
        folders: Sequence[Path],
        *,
        host: str = "127.0.0.1",
        port: int = 8787,
        reload_every: float = 2.0,
        check_every: float = 30.0,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        mounts: Mounts | None = None,
    ) -> None:
        self.metrics = ServeMetrics()
        self.alerter = Alerter(self.metrics)
        self.clients: list[ClientRuntime] = []
        try:
            for folder in folders:
                self.clients.append(ClientRuntime(Path(folder), self.metrics, self.alerter, lease_seconds))
            check_distinct([(client.name, client.schedule.state) for client in self.clients])
        except BaseException:
            self._close_clients()
            raise
        self.scheduler = Scheduler(
            self.clients, self.alerter, reload_every=reload_every, check_every=check_every
        )
        self._ready = False
        self._stopped: bool | None = None
        status = ServeStatus(self.scheduler, self.metrics, lambda: self._ready)
        try:
            routes = mounts(self.clients) if mounts else ()
        except BaseException:
            self._close_clients()
            raise
        self.http = HttpServer(build_app(status, routes), host, port)

    @property
    def url(self) -> str:
        return self.http.url

    def start(self) -> None:
        self.http.start()
        self.scheduler.start()
        self._ready = True
        log_event(
            logger,
            logging.INFO,
            "serve_started",
            f"serving {len(self.clients)} client(s) at {self.url}",
            url=self.url,
            clients=[client.name for client in self.clients],
        )

    def stop(self, grace: float | None = None) -> bool:
        """Stop as described above; True when every run ended within the grace time."""
        if self._stopped is not None:
            return self._stopped
        self._ready = False
        clean = self.scheduler.shutdown(grace)
        self.alerter.drain(ALERT_DRAIN_SECONDS)
        self.http.stop()
        if clean:
            self._close_clients()
        else:
            stuck = [f"{job.client.name}/{job.name}" for job in self.scheduler.jobs() if job.running]
            log_event(
                logger,
                logging.ERROR,
                "serve_stopped_unclean",
                "runs still going after their timeout: "
                + ", ".join(stuck)
                + "; their leases expire by themselves and sends without an answer are looked up "
                "by the next run before anything is sent again",
                pipelines=stuck,
            )
        log_event(logger, logging.INFO, "serve_stopped", "serve stopped", clean=clean)
        self._stopped = clean
        return clean

    def run_until_signal(self) -> int:
        """Serve until SIGTERM or SIGINT; 0 when it stopped cleanly, 1 otherwise."""
        stop = threading.Event()
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: stop.set())
        self.start()
        while not stop.wait(1.0):
            pass
        log_event(
            logger, logging.INFO, "serve_stopping", "stop requested: letting running runs finish their page"
        )
        return 0 if self.stop() else 1

    def _close_clients(self) -> None:
        for client in self.clients:
            client.close()
