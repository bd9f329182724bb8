"""How many requests a connection keeps under way: up to a ceiling, less while the system says 429.

A system that documents no rate limit (Extensiv's WMS documents none) is still not flooded: a
connection sends at most `ceiling` requests at a time. A 429 halves that limit (never below 1)
and a Retry-After pauses every new request until it has passed; each run of `limit` replies
without a 429 raises the limit by one again, up to the ceiling (additive increase,
multiplicative decrease, as TCP does). Requests that were already under way when the limit was
halved do not halve it again: one burst of 429s counts once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class AdaptiveLimit:
    """`sleep` waits out a Retry-After pause (injectable, as the HTTP client's own waits are)."""

    def __init__(self, ceiling: int, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if ceiling < 1:
            raise ValueError(f"a concurrency limit is at least 1, not {ceiling}")
        self.ceiling = ceiling
        self.limit = ceiling
        self.busiest = 0  # the most requests under way at once, for reports and tests
        self._clock = clock
        self._sleep = sleep
        self._active = 0
        self._calm = 0  # replies without a 429 since the limit last changed
        self._epoch = 0  # increases whenever the limit is halved
        self._resume_at = 0.0
        self._changed = threading.Condition()

    @contextmanager
    def slot(self) -> Iterator[int]:
        """Hold one of the limit's places for a request; yields a ticket for `rate_limited`."""
        ticket = self._acquire()
        try:
            yield ticket
        finally:
            with self._changed:
                self._active -= 1
                self._changed.notify_all()

    def rate_limited(self, ticket: int, retry_after: float | None) -> None:
        """The request holding `ticket` was answered 429 (with `retry_after` seconds, if given)."""
        with self._changed:
            if ticket == self._epoch:
                self.limit = max(1, self.limit // 2)
                self._epoch += 1
                self._calm = 0
            if retry_after:
                self._resume_at = max(self._resume_at, self._clock() + retry_after)

    def succeeded(self) -> None:
        """A reply other than 429 came back."""
        with self._changed:
            self._calm += 1
            if self._calm >= self.limit and self.limit < self.ceiling:
                self.limit += 1
                self._calm = 0
                self._changed.notify_all()

    def _acquire(self) -> int:
        with self._changed:
            pause = self._resume_at - self._clock()
        if pause > 0:
            self._sleep(pause)
        with self._changed:
            while self._active >= self.limit:
                self._changed.wait()
            self._active += 1
            self.busiest = max(self.busiest, self._active)
            return self._epoch
