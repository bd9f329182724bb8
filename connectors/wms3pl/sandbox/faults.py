"""Failures a test or an operator switches on for one route, each for a number of requests.

Kinds:
- `500`: a plain-text 500 reply;
- `429`: a 429 reply with `Retry-After: <retry_after>`;
- `slow`: the reply is delayed by `delay` seconds;
- `drop`: the request is carried out (an order is stored), then the connection is closed
  without a reply;
- `reset`: the connection is closed without a reply and without carrying out the request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

FAULT_KINDS = ("500", "429", "slow", "drop", "reset")


@dataclass
class Fault:
    kind: str
    times: int = 1
    retry_after: int = 1
    delay: float = 1.0


class FaultPlan:
    """Faults by route, where a route is `METHOD /path`, e.g. `POST /orders`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, list[Fault]] = {}

    def inject(self, route: str, kind: str, *, times: int = 1, retry_after: int = 1,
               delay: float = 1.0) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; choose one of {', '.join(FAULT_KINDS)}")
        method, _, path = route.strip().partition(" ")
        if not path.startswith("/"):
            raise ValueError(f"a route is 'METHOD /path', e.g. 'POST /orders', not {route!r}")
        with self._lock:
            self._faults.setdefault(f"{method.upper()} {path}", []).append(
                Fault(kind, times, retry_after, delay))

    def take(self, route: str) -> Fault | None:
        """The next fault for this route, counting it as used; None when there is none."""
        with self._lock:
            queue = self._faults.get(route)
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
