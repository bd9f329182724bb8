"""Failures a test or an operator switches on for one route: queued for a number of requests,
or drawn at random from a mix for every request.

Kinds:
- `500`: a plain-text 500 reply; the request was not carried out;
- `500-after`: the request is carried out (an order is stored), then a plain-text 500 reply;
- `429`: a 429 reply with `Retry-After: <retry_after>`; not carried out;
- `slow`: the reply is delayed by `delay` seconds;
- `drop`: the request is carried out (an order is stored), then the connection is closed
  without a reply (committed, no reply);
- `reset`: the connection is closed without a reply and without carrying out the request.

A mix (`{"500": 0.2, "429": 0.05, "drop": 0.05, "reset": 0.05}`) draws one kind, or none, per
request from a random generator seeded by the operator, so a chaos run can be repeated: the same
seed and the same order of requests give the same faults. Queued faults come first.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass

FAULT_KINDS = ("500", "500-after", "429", "slow", "drop", "reset")


@dataclass
class Fault:
    kind: str
    times: int = 1
    retry_after: int = 1
    delay: float = 1.0


@dataclass
class FaultMix:
    """Probabilities per kind (their sum at most 1) and the seeded generator that draws them."""

    chances: dict[str, float]
    generator: random.Random
    retry_after: int = 1
    delay: float = 1.0

    def draw(self) -> Fault | None:
        roll = self.generator.random()
        for kind, chance in self.chances.items():
            if roll < chance:
                return Fault(kind, retry_after=self.retry_after, delay=self.delay)
            roll -= chance
        return None


class FaultPlan:
    """Faults by route, where a route is `METHOD /path`, e.g. `POST /orders`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, list[Fault]] = {}
        self._mixes: dict[str, FaultMix] = {}

    def inject(self, route: str, kind: str, *, times: int = 1, retry_after: int = 1,
               delay: float = 1.0) -> None:
        _check_kind(kind)
        with self._lock:
            self._faults.setdefault(_route(route), []).append(Fault(kind, times, retry_after, delay))

    def mix(self, route: str, chances: Mapping[str, float], *, seed: int, retry_after: int = 1,
            delay: float = 1.0) -> None:
        """From now on, each request to `route` fails as a kind drawn from `chances`."""
        for kind, chance in chances.items():
            _check_kind(kind)
            if not 0 <= float(chance) <= 1:
                raise ValueError(f"the chance of {kind!r} must be between 0 and 1, not {chance!r}")
        if sum(float(chance) for chance in chances.values()) > 1:
            raise ValueError("the chances of a fault mix add up to more than 1")
        with self._lock:
            self._mixes[_route(route)] = FaultMix({kind: float(c) for kind, c in chances.items()},
                                                  random.Random(seed), retry_after, delay)

    def take(self, route: str) -> Fault | None:
        """The next fault for this route, counting it as used; None when there is none."""
        with self._lock:
            queue = self._faults.get(route)
            if queue:
                fault = queue[0]
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
                return fault
            mix = self._mixes.get(route)
            return mix.draw() if mix else None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._mixes.clear()


def _check_kind(kind: str) -> None:
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; choose one of {', '.join(FAULT_KINDS)}")


def _route(route: str) -> str:
    method, _, path = route.strip().partition(" ")
    if not path.startswith("/"):
        raise ValueError(f"a route is 'METHOD /path', e.g. 'POST /orders', not {route!r}")
    return f"{method.upper()} {path}"
