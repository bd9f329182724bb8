"""Failures a sandbox server is told to show, per route, for a number of requests or at random.

Both shipped sandboxes (the store and the WMS) use this one plan. A fault is switched on for a
route (a name the sandbox gives a group of its requests, e.g. `history` or `POST /orders`, or
`*` for all of them) in one of two ways:

- `times=N`: the next N requests to the route fail this way (after letting `after` requests
  through, to hit the middle of a batch). Counted faults come first, oldest first.
- `probability=p`, or a whole `mix` of kinds at once: each request fails this way with
  probability p. All the random faults that match a request form one mix, decided by a single
  draw: 15% `500-before` and 10% `500-after` on a route fail 25% of its requests, never one
  request twice; the chances on a route add up to at most 1. Each route draws from its own
  generator (a request to a route without random faults of its own draws from `*`'s), and
  `seed` resets it: the same seed and the same sequence of requests to the route fail the same
  requests again, whatever happens on other routes meanwhile.

What a kind means (a 500 before or after the work, a dropped reply, a delay, a 429 with
`retry_after`) is the sandbox's business: the plan only chooses which fault, if any, applies to a
request, and counts the requests per route and the faults that fired.

`watch(callback)` lets code in the same process see every request as it arrives, before its
fault is chosen (the chaos suite kills a cartsync process at a chosen request with it).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable, Mapping
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
    retry_after: int = 1  # seconds, for kinds that ask the client to come back later

    def describe(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"route": self.route, "kind": self.kind}
        shown.update({"times": self.times, "after": self.after} if self.times is not None
                     else {"probability": self.probability})
        return shown | {"delay": self.delay, "retry_after": self.retry_after}


class FaultPlan:
    """The faults switched on in one sandbox, and how often each kind has fired per route."""

    def __init__(self, kinds: tuple[str, ...]) -> None:
        self.kinds = kinds
        self.seen: Counter[str] = Counter()  # requests per route
        self.fired: Counter[tuple[str, str]] = Counter()  # (route the request went to, kind)
        self._lock = threading.Lock()
        self._counted: list[Fault] = []
        self._random_faults: list[Fault] = []
        self._generators: dict[str, random.Random] = {}  # per route named by random faults
        self._watchers: list[Callable[[str], None]] = []

    def add(self, route: str, kind: str, *, times: int | None = None, after: int = 0,
            probability: float | None = None, delay: float = 1.0, retry_after: int = 1,
            seed: int | None = None) -> Fault:
        """Switch a fault on; raises ValueError naming what is wrong with the request."""
        self._check(route, kind, delay, retry_after)
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
        fault = Fault(route, kind, times=times, after=after, probability=probability, delay=delay,
                      retry_after=retry_after)
        with self._lock:
            if probability is None:
                self._counted.append(fault)
                return fault
            if self._chance_on(route) + probability > 1 + 1e-9:
                raise ValueError(f"the random faults on route {route!r} would fail more than every request "
                                 f"(their chances add up to more than 1)")
            self._random_faults.append(fault)
            self._seed(route, seed)
        return fault

    def mix(self, route: str, chances: Mapping[str, float], *, seed: int, delay: float = 1.0,
            retry_after: int = 1) -> list[Fault]:
        """From now on, each request to `route` fails as a kind drawn from `chances` (e.g.
        `{"500": 0.2, "drop": 0.05}`), replacing the route's earlier random faults."""
        for kind, chance in chances.items():
            self._check(route, kind, delay, retry_after)
            if not 0 <= float(chance) <= 1:
                raise ValueError(f"the chance of {kind!r} must be between 0 and 1, not {chance!r}")
        if sum(float(chance) for chance in chances.values()) > 1 + 1e-9:
            raise ValueError("the chances of a fault mix add up to more than 1")
        faults = [Fault(route, kind, probability=float(chance), delay=delay, retry_after=retry_after)
                  for kind, chance in chances.items() if float(chance) > 0]
        with self._lock:
            self._random_faults = [f for f in self._random_faults if f.route != route] + faults
            self._seed(route, seed)
        return faults

    def watch(self, callback: Callable[[str], None]) -> None:
        """Call `callback(route)` for every request, as it arrives (in the server's thread)."""
        with self._lock:
            self._watchers.append(callback)

    def take(self, route: str) -> Fault | None:
        """The fault for one request to `route`, counted as fired; None when it goes through."""
        with self._lock:
            watchers = list(self._watchers)
        for watcher in watchers:
            watcher(route)
        routes = (route, ANY_ROUTE)
        with self._lock:
            self.seen[route] += 1
            fault = self._take_counted(routes) or self._draw(route)
            if fault is not None:
                self.fired[(route, fault.kind)] += 1
            return fault

    def clear(self) -> int:
        """Switch every fault off; returns how many were on. The counts stay."""
        with self._lock:
            count = len(self._counted) + len(self._random_faults)
            self._counted.clear()
            self._random_faults.clear()
            self._generators.clear()
            return count

    def report(self) -> dict[str, Any]:
        """The faults still on, the requests per route, and what has fired so far, as JSON."""
        with self._lock:
            return {"faults": [f.describe() for f in self._counted + self._random_faults],
                    "requests": dict(sorted(self.seen.items())),
                    "fired": [{"route": route, "kind": kind, "count": count}
                              for (route, kind), count in sorted(self.fired.items())]}

    # -- inside the lock ----------------------------------------------------------------------

    def _check(self, route: str, kind: str, delay: float, retry_after: int) -> None:
        if kind not in self.kinds:
            raise ValueError(f"unknown fault kind {kind!r}; choose one of {', '.join(self.kinds)}")
        if not route:
            raise ValueError(f"a fault needs a route (or {ANY_ROUTE!r} for every request)")
        if delay < 0:
            raise ValueError(f"delay must be 0 or more seconds, not {delay}")
        if retry_after < 0:
            raise ValueError(f"retry_after must be 0 or more seconds, not {retry_after}")

    def _chance_on(self, route: str) -> float:
        return sum(f.probability or 0.0 for f in self._random_faults if f.route == route)

    def _seed(self, route: str, seed: int | None) -> None:
        if seed is not None or route not in self._generators:
            self._generators[route] = random.Random(seed)

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

    def _draw(self, route: str) -> Fault | None:
        mix = [f for f in self._random_faults if f.route in (route, ANY_ROUTE)]
        if not mix:
            return None
        own = any(f.route == route for f in mix)
        draw = self._generators[route if own else ANY_ROUTE].random()
        for fault in mix:
            assert fault.probability is not None
            if draw < fault.probability:
                return fault
            draw -= fault.probability
        return None
