"""Kill -9 at a chosen point of a run: the Nth request the run makes to either sandbox, or the
Nth of its writes (half the points each, so that a job whose writes are few, such as a stock run
of two bulk calls after twenty pages of reads, is still killed at its writes).

A point is drawn from the job's seeded generator, so a failing point can be replayed: the same
seed gives the same points, and the same request order lands them on the same requests. With no
delay the process dies while the sandbox is carrying out its request (the write is committed, the
reply never read: the worst moment for an intent); with a delay it dies a few milliseconds later,
wherever it then is (recording outcomes, the next intent, the cursor, a lookup).
"""

from __future__ import annotations

import random
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

from cartsync.engine.sandbox_faults import FaultPlan

MAX_DELAY = 0.05  # seconds after the chosen request


@dataclass(frozen=True)
class KillPoint:
    route: str | None  # the route counted (a write route), or None: every request
    request: int  # the process dies at its request number `request` to `route` (1 = its first)
    delay: float  # seconds after that request arrived

    @classmethod
    def draw(cls, rng: random.Random, write_route: str, writes: int, requests: int) -> KillPoint:
        """At one of the first `writes` writes, or one of the first `requests` requests."""
        route, span = (write_route, writes) if rng.random() < 0.5 else (None, requests)
        delay = 0.0 if rng.random() < 0.5 else round(rng.uniform(0.001, MAX_DELAY), 3)
        return cls(route, rng.randint(1, max(1, span)), delay)

    def counts(self, route: str) -> bool:
        return self.route is None or self.route == route

    def __str__(self) -> str:
        where = f"request {self.request}" if self.route is None else f"{self.route} request {self.request}"
        return where + (f" + {self.delay * 1000:.0f} ms" if self.delay else "")


class Trigger:
    """Watches every request to the sandboxes and kills the armed process at its point."""

    def __init__(self, *plans: FaultPlan) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._point: KillPoint | None = None
        self._left = 0
        self.route: str | None = None  # the request the last kill landed on
        self.killed_at = 0.0  # when the signal was sent (time.time())
        for plan in plans:
            plan.watch(self._seen)

    def arm(self, process: subprocess.Popen[bytes], point: KillPoint) -> None:
        with self._lock:
            self._process, self._point, self._left, self.route = process, point, point.request, None

    def disarm(self) -> None:
        with self._lock:
            self._process = None

    def _seen(self, route: str) -> None:
        with self._lock:
            if self._process is None or self._point is None or not self._point.counts(route):
                return
            self._left -= 1
            if self._left > 0:
                return
            process, self._process, self.route, delay = self._process, None, route, self._point.delay
        if delay:
            threading.Timer(delay, self._kill, args=(process,)).start()
        else:
            self._kill(process)

    def _kill(self, process: subprocess.Popen[bytes]) -> None:
        self.killed_at = time.time()
        process.send_signal(signal.SIGKILL)  # a no-op once the process has been waited for
