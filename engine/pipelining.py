"""Writing one batch while the run prepares the next.

The destination is called on a thread of its own, one batch at a time, so a connector never sees
two writes at once. Meanwhile the run maps the next batch. When it is ready, the writer waits for
the current write to end and commits its outcomes together with the next batch's intents, in one
transaction that also checks the lease (each result is durable as soon as it is known, each
intent before its write), and only then starts the next write. When the run would wait for the
source instead (read_ahead.py's `before_wait`), the write is landed on its own first, so a result
already known never waits on a slow store to be recorded. A run that loses its lease, or stops,
while a write is under way records that write's outcomes and leaves no intent unsent.

Every state change happens on the run's thread; the writer thread only calls the destination.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from cartsync.engine.connector import Outcome
from cartsync.engine.delivery import Delivery, Pending


@dataclass
class Flight:
    """A batch: its records (once its intents are committed, those the ledger accepted), its write,
    and the cursor its outcomes may move.

    `skips_final`: every record the read skipped up to the end of this batch has a final outcome.
    """

    sending: list[Pending]
    cursor: dict[str, Any] | None
    skips_final: bool
    future: Future[list[Outcome]] | None = None
    keys: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.keys = {item.key for item in self.sending}


class Writer:
    """Use as a `with` block around a run's sending; `outcomes_final` says whether every batch of
    the read landed so far had final outcomes (the cursor can move only then)."""

    def __init__(self, delivery: Delivery) -> None:
        self.delivery = delivery
        self.outcomes_final = True
        self._flight: Flight | None = None
        self._executor: ThreadPoolExecutor | None = None

    def __enter__(self) -> Writer:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="destination write")
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        try:
            if kind is None:
                self.land()
            elif self._flight is not None:
                # The run stops: what was sent is still recorded if it can be. Failing that, the
                # batch stays in flight (the next run looks it up); the run's own error is reported.
                with suppress(Exception):
                    self.land()
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None

    def start_read(self) -> None:
        """The read begins: what the ledger work sent is landed, and its outcomes do not hold the
        read's cursor back."""
        self.land()
        self.outcomes_final = True

    def send(self, flight: Flight) -> None:
        """Once the write under way ends, commit its outcomes and this batch's intents (LeaseLost
        when the lease is gone: these intents are then not recorded), then start this batch's write."""
        landing, self._flight = self._flight, None
        if landing is None:
            flight.sending = self.delivery.begin(flight.sending)
        else:
            flight.sending = self._settle(landing, then=flight.sending)
        flight.keys = {item.key for item in flight.sending}
        if flight.sending:
            flight.future = self._submit(flight.sending)
            self._flight = flight
        elif flight.cursor is not None:
            self._move_cursor(flight)

    def land(self) -> None:
        """Wait for the write under way, if any, and record its outcomes."""
        flight, self._flight = self._flight, None
        if flight is not None:
            self._settle(flight)

    def carry_cursor(self, cursor: dict[str, Any]) -> bool:
        """Let the write under way move the cursor here once it lands; False when none is under way."""
        if self._flight is None:
            return False
        self._flight.cursor = cursor
        return True

    def carries(self, key: str) -> bool:
        """True when a record with this key is being written."""
        return self._flight is not None and key in self._flight.keys

    def _submit(self, sending: list[Pending]) -> Future[list[Outcome]]:
        if self._executor is None:  # outside a `with` block (a dry run sends nothing)
            raise RuntimeError("the writer sends only inside its `with` block")
        return self._executor.submit(self.delivery.call, sending)

    def _settle(self, flight: Flight, then: list[Pending] | None = None) -> list[Pending]:
        """Record a landed write's outcomes, with `then`'s intents; the items of `then` accepted."""
        assert flight.future is not None
        cursor = flight.cursor if flight.skips_final and self.outcomes_final else None
        final, begun = self.delivery.settle(flight.sending, flight.future.result, cursor, then)
        self.outcomes_final = self.outcomes_final and final
        return begun

    def _move_cursor(self, flight: Flight) -> None:
        """A batch with nothing to write (every record settled without a send): its cursor moves
        now, with the rows it settled, if everything before it is final."""
        if flight.skips_final and self.outcomes_final:
            self.delivery.write_queued(flight.cursor)
