"""Sign-in attempts per user name and address: a few wrong passwords a minute, then a pause.

The console shows customers' names and addresses, so guessing a password must be slow even where
the password is weak. Each (user name, client address) may fail `attempts` times within `window`
seconds; the next try is refused, without checking the password, until the oldest failure leaves
the window. A successful sign-in forgets that pair's failures. The counts live in memory: they
start again with the process, which is a pause an attacker cannot shorten.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

ATTEMPTS = 5
WINDOW_SECONDS = 60.0
MAX_TRACKED = 10_000  # pairs remembered at most; stale ones are dropped first


class SignInLimiter:
    def __init__(
        self,
        attempts: int = ATTEMPTS,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.attempts = attempts
        self.window = window
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, name: str, address: str) -> float:
        """Seconds before this pair may try again (0: now)."""
        with self._lock:
            failures = self._recent((name, address))
            if len(failures) < self.attempts:
                return 0.0
            return max(0.0, failures[0] + self.window - self.clock())

    def failed(self, name: str, address: str) -> None:
        with self._lock:
            if len(self._failures) >= MAX_TRACKED:
                self._drop_stale()
            self._recent((name, address)).append(self.clock())

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._failures.pop((name, address), None)

    def _recent(self, pair: tuple[str, str]) -> deque[float]:
        failures = self._failures.setdefault(pair, deque(maxlen=self.attempts))
        while failures and failures[0] <= self.clock() - self.window:
            failures.popleft()
        return failures

    def _drop_stale(self) -> None:
        horizon = self.clock() - self.window
        for pair in [pair for pair, times in self._failures.items() if not times or times[-1] <= horizon]:
            del self._failures[pair]
        while len(self._failures) >= MAX_TRACKED:  # all recent: forget the oldest first
            del self._failures[next(iter(self._failures))]
