"""Failures a sandbox server is told to show, per route, for a number of requests or at random.

A fault is switched on for a route (a name the sandbox gives a group of its requests, or `*`
for all of them) in one of two ways:

- `times=N`: the next N requests to the route fail this way (after letting `after` requests
  through, to hit the middle of a batch). Counted faults come first, oldest first.
- `probability=p`: each request fails this way with probability p. All the random faults that
  match a request form one mix, decided by a single draw: 15% `500-before` and 10% `500-after`
  on a route fail 25% of its requests, never one request twice. The draws come from one
  generator; `seed` resets it, so the same seed and the same sequence of requests fail the same
  requests again.

What a kind means (a 500 before or after the work, a dropped reply, a delay) is the sandbox's
business: the plan only chooses which fault, if any, applies to a request, and counts the
requests per route and the faults that fired.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

ANY_ROUTE = "*"


@dataclass
class Fault:
    route: str
    kind: str
    times: int | None = None  # counted faults: how many requests are left to fail
    after: int = 0  # counted faults: how many requests still go through first
    probability: float | None = None  # random faults: the chance per request
    delay: float = 1.0  # seconds, for kinds that delay a reply

    def describe(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"route": self.route, "kind": self.kind}
        shown.update({"times": self.times, "after": self.after} if self.times is not None
                     else {"probability": self.probability})
        return shown | {"delay": self.delay}


class FaultPlan:
    """The faults switched on in one sandbox, and how often each kind has fired per route."""

    def __init__(self, kinds: tuple[str, ...]) -> None:
        self.kinds = kinds
        self.seen: Counter[str] = Counter()  # requests per route
        self.fired: Counter[tuple[str, str]] = Counter()  # (route the request went to, kind)
        self._lock = threading.Lock()
        self._counted: list[Fault] = []
        self._random_faults: list[Fault] = []
        self._random = random.Random()

    def add(self, route: str, kind: str, *, times: int | None = None, after: int = 0,
            probability: float | None = None, delay: float = 1.0, seed: int | None = None) -> Fault:
        """Switch a fault on; raises ValueError naming what is wrong with the request."""
        if kind not in self.kinds:
            raise ValueError(f"unknown fault kind {kind!r}; choose one of {', '.join(self.kinds)}")
        if not route:
            raise ValueError(f"a fault needs a route (or {ANY_ROUTE!r} for every request)")
        if (times is not None or after) and probability is not None:
            raise ValueError("give either times (and after) or probability, not both")
        if after < 0:
            raise ValueError(f"after must be 0 or more, not {after}")
        if probability is not None and not 0 < probability <= 1:
            raise ValueError(f"probability must be above 0 and at most 1, not {probability}")
        if probability is None:
            times = 1 if times is None else times
            if times < 1:
                raise ValueError(f"times must be 1 or more, not {times}")
        if delay < 0:
            raise ValueError(f"delay must be 0 or more seconds, not {delay}")
        fault = Fault(route, kind, times=times, after=after, probability=probability, delay=delay)
        with self._lock:
            if seed is not None:
                self._random.seed(seed)
            (self._counted if probability is None else self._random_faults).append(fault)
        return fault

    def take(self, route: str) -> Fault | None:
        """The fault for one request to `route`, counted as fired; None when it goes through."""
        routes = (route, ANY_ROUTE)
        with self._lock:
            self.seen[route] += 1
            fault = self._take_counted(routes) or self._draw(routes)
            if fault is not None:
                self.fired[(route, fault.kind)] += 1
            return fault

    def _take_counted(self, routes: tuple[str, str]) -> Fault | None:
        fault = next((f for f in self._counted if f.route in routes), None)
        if fault is None:
            return None
        if fault.after > 0:
            fault.after -= 1
            return None
        assert fault.times is not None
        fault.times -= 1
        if fault.times == 0:
            self._counted.remove(fault)
        return fault

    def _draw(self, routes: tuple[str, str]) -> Fault | None:
        mix = [f for f in self._random_faults if f.route in routes]
        if not mix:
            return None
        draw = self._random.random()
        for fault in mix:
            assert fault.probability is not None
            if draw < fault.probability:
                return fault
            draw -= fault.probability
        return None

    def clear(self) -> int:
        """Switch every fault off; returns how many were on. The fired counts stay."""
        with self._lock:
            count = len(self._counted) + len(self._random_faults)
            self._counted.clear()
            self._random_faults.clear()
            return count

    def report(self) -> dict[str, Any]:
        """The faults still on, the requests per route, and what has fired so far, as JSON."""
        with self._lock:
            return {"faults": [f.describe() for f in self._counted + self._random_faults],
                    "requests": dict(sorted(self.seen.items())),
                    "fired": [{"route": route, "kind": kind, "count": count}
                              for (route, kind), count in sorted(self.fired.items())]}
