"""The engine's side of the delivery protocol (DESIGN.md): intents, outcomes, and asking the
destination what became of a send before anything is sent again.

How each outcome changes the record's ledger row:

| outcome | row |
|---|---|
| ok, duplicate | the pipeline's `sets` status; the delivery is remembered (unchanged content is not resent) |
| not_found | `not_found`, listed in the run report; remembered like a delivery |
| rejected | `error` with the system's words; it waits for `cartsync orders resend` |
| retryable | `error`, retried when due at growing intervals; after `retry_for` it waits for a person |
| unknown | stays in flight, with the same retry schedule: it is looked up before any resend |

A row keeps the payload last sent (packed small against its record, see state/packing.py) until
the retention rule removes it with the record (`cartsync state prune`).

What the destination answers about an in-flight row (`reconcile`): done is recorded as above;
None (no trace) makes the record a due retry; unknown leaves it in flight for the next run. A
`recompute` stream is not asked: the delivery is forgotten, so the read sends the current value.

A batch's intents are committed by `begin` (with any rows settled without a send since the last
one: filtered out, refused by the mapping), its outcomes by `settle` (with the cursor they allow).
The destination call between them (`call`) touches no state, so the runner can make it on
another thread while it prepares the next batch; `settle` then commits the next batch's intents
in the same transaction as these outcomes, so a run of many batches takes one transaction a
batch (two when the run would otherwise wait for the source with a result unrecorded). The lease
is checked inside every transaction that records intents. Each outcome has one event; the intent
is the row's `in_flight` flag.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cartsync.engine.connector import Connector, Outcome
from cartsync.engine.errors import CartsyncError, ConnectError, LeaseLost, TransientError
from cartsync.engine.pipeline import CompiledPipeline
from cartsync.engine.report import DUPLICATE, NOT_FOUND, REJECTED, RETRYING, SENT, UNKNOWN, RunReport
from cartsync.engine.secrets import redact
from cartsync.engine.state import KEEP, LeaseKeeper, LedgerRow, RowChange, RowStatus, StateStore, Transaction

UNKNOWN_NOTE = "sent, no reliable reply; it will be looked up before any resend"
RECOMPUTE_NOTE = "sent, no reliable reply; the current value will be computed again and sent instead"
ALREADY_THERE = "already at the destination: not sent again"
_SETTLED: dict[str, Any] = {"in_flight": False, "resend": False, "transient": False, "next_attempt_at": None}
_COUNTED = {
    "ok": SENT,
    "duplicate": DUPLICATE,
    "rejected": REJECTED,
    "retryable": RETRYING,
    "unknown": UNKNOWN,
}


@dataclass
class Pending:
    """A record on its way: its key, source record, mapped payload, and its row before the send."""

    key: str
    record: dict[str, Any]
    payload: Any
    content_hash: str
    row: RowStatus | None

    @classmethod
    def in_flight(cls, row: LedgerRow) -> Pending:
        return cls(row.key, row.record or {}, row.payload, content_hash(row.payload), row)


def content_hash(payload: Any) -> str:
    """What a payload holds, in 16 hex digits (64 bits: a change is never mistaken for none)."""
    return hashlib.sha1(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


def same_content(delivered: str | None, digest: str) -> bool:
    """True when `delivered` (a stored content hash; 40 digits from before) names `digest`'s content."""
    return delivered is not None and delivered[: len(digest)] == digest


class Delivery:
    """Sends batches to one destination stream and records what became of each record."""

    def __init__(
        self,
        pipeline: CompiledPipeline,
        destination: Connector,
        store: StateStore,
        report: RunReport,
        now: Callable[[], datetime],
        retry: tuple[timedelta, timedelta],
    ) -> None:
        self.name = pipeline.config.name
        self.pipeline = pipeline
        self.ledger = pipeline.ledger
        self.destination = destination
        self.stream = pipeline.config.destination.stream
        self.spec = destination.streams[self.stream]
        self.store = store
        self.report = report
        self.keeper: LeaseKeeper | None = None  # the run's lease, checked before every intent
        self._now = now
        self._retry_for, self._retry_every = retry
        self._queued: list[RowChange] = []  # rows settled without a send, written with the next batch

    def change(self, key: str, event: str, message: str | None = None, **values: Any) -> RowChange:
        """A change to a row of this pipeline's entity, made by this run."""
        return RowChange(self.ledger.entity, key, self.name, event, message, self.report.run_id, **values)

    def not_sent(self, key: str, why: str, reason: str, record: dict[str, Any]) -> None:
        """A record settled without a send: `skipped` by a filter, or `rejected` by the mapping (held
        in `error`); any resend or retry it waited for ends here. Written with the next batch
        (`begin`), or by `write_queued`."""
        status = "skipped" if why == "skipped" else "error"
        self._queued.append(
            self.change(
                key,
                why,
                reason,
                status=status,
                last_error=reason,
                record=record,
                transient=False,
                resend=False,
                next_attempt_at=None,
            )
        )

    def write_queued(self, cursor: Mapping[str, Any] | None = None) -> None:
        """Commit the rows settled without a send since the last batch, with `cursor` if given."""
        if self._queued or cursor is not None:
            with self.store.transaction() as tx:
                self._write_queued(tx)
                if cursor is not None:
                    tx.save_cursor(self.name, dict(cursor))

    def _write_queued(self, tx: Transaction) -> None:
        queued, self._queued = self._queued, []
        tx.changes(queued)

    # -- sending ----------------------------------------------------------------------------

    def send(self, items: list[Pending]) -> bool:
        """Record the intents, write, record the outcomes; True when every outcome is final."""
        sending = self.begin(items)
        return self.settle(sending, lambda: self.call(sending))[0] if sending else True

    def begin(self, items: list[Pending]) -> list[Pending]:
        """Commit the intent to send (before the call), with the rows queued since the last batch;
        return the items the store accepted: never a held row or one in flight, never a key twice.
        Raises LeaseLost, recording nothing, once this run has lost its lease."""
        with self.store.transaction() as tx:
            sending = self._begin(tx, items)
        if sending is None:
            raise self._lease_lost()
        return sending

    def _begin(self, tx: Transaction, items: list[Pending]) -> list[Pending] | None:
        """`begin` inside `tx`; None (and nothing written) when the lease is lost."""
        if self.keeper is not None and (self.keeper.lost or not tx.holds_lease(self.keeper.lease)):
            return None
        self._write_queued(tx)
        if not items:
            return []
        accepted = tx.start_sends(
            self.ledger.entity,
            [(item.key, item.record, item.payload) for item in items],
            pipeline=self.name,
            status=self.ledger.pending,
        )
        sending = []
        for item in items:
            if item.key in accepted:
                accepted.discard(item.key)
                sending.append(item)
        return sending

    def _lease_lost(self) -> LeaseLost:
        return LeaseLost(
            f"This run of pipeline '{self.name}' lost its lease (another run took it over, or "
            "`cartsync state unlock` removed it), so it stopped before sending anything more.",
            hint="Nothing is lost: what this run sent is looked up by the next run.",
        )

    def call(self, sending: list[Pending]) -> list[Outcome]:
        """The destination's outcomes for a batch whose intents are recorded. It reads and writes
        no state, so it may run on another thread."""
        return self.destination.write(self.stream, [item.payload for item in sending])

    def settle(
        self,
        sending: list[Pending],
        result: Callable[[], list[Outcome]],
        cursor: Mapping[str, Any] | None = None,
        then: list[Pending] | None = None,
    ) -> tuple[bool, list[Pending]]:
        """Record the outcomes `result()` gives (and `cursor`, when they are all final) in one
        transaction, and in it the intents of the next batch, `then` (see `begin`). Returns whether
        every outcome is final, and the items of `then` accepted. The outcomes are recorded even
        once the lease is lost; the intents then are not, and LeaseLost is raised.

        An exception from the write leaves the batch unknown (each record may or may not have been
        written); a transient one lets the run go on, any other stops it once that is recorded.
        """
        try:
            outcomes = result()
        except Exception as error:
            self.record_outcomes(sending, [Outcome.unknown(_describe(error))] * len(sending))
            if isinstance(error, TransientError):
                return False, self.begin(then) if then is not None else []
            raise
        if len(outcomes) != len(sending):
            raise CartsyncError(
                f"connector {self.destination.name} returned {len(outcomes)} outcomes "
                f"for {len(sending)} records"
            )
        with self.store.transaction() as tx:
            final = self._record_outcomes(tx, sending, outcomes, cursor=cursor)
            begun = self._begin(tx, then) if then is not None else []
        if begun is None:
            raise self._lease_lost()
        return final, begun

    def record_outcomes(
        self, items: list[Pending], outcomes: list[Outcome], also: Iterable[RowChange] = ()
    ) -> bool:
        """Save outcomes (and `also`, other changes of the same step) in one transaction; True when
        every outcome is final (unknown and scheduled retries are not)."""
        with self.store.transaction() as tx:
            return self._record_outcomes(tx, items, outcomes, also)

    def _record_outcomes(
        self,
        tx: Transaction,
        items: list[Pending],
        outcomes: list[Outcome],
        also: Iterable[RowChange] = (),
        cursor: Mapping[str, Any] | None = None,
    ) -> bool:
        """`record_outcomes` inside `tx`, with the cursor when every outcome is final."""
        now = self._now_text()
        changes = [
            self._outcome_change(item, outcome, now) for item, outcome in zip(items, outcomes, strict=True)
        ]
        final = all(change.in_flight is not True and change.transient is not True for change in changes)
        self._write_queued(tx)
        tx.changes([*changes, *also])
        tx.record_deliveries(
            self.name,
            self.ledger.entity,
            [
                (item.key, item.content_hash, outcome.dest_id)
                for item, outcome in zip(items, outcomes, strict=True)
                if outcome.delivered or outcome.is_not_found
            ],
        )
        if cursor is not None and final:
            tx.save_cursor(self.name, dict(cursor))
        return final

    def _outcome_change(self, item: Pending, outcome: Outcome, now: str) -> RowChange:
        """The row change an outcome makes; counted in the report."""
        message = outcome.message or outcome.status
        if outcome.is_not_found:
            self.report.count(NOT_FOUND)
            self.report.not_found_item(item.key, message)
            return self.change(
                item.key,
                "not_found",
                message,
                status="not_found",
                last_error=message,
                **_SETTLED,
            )
        self.report.count(_COUNTED[outcome.status])
        if outcome.delivered:
            kept_id = item.row.dest_id if item.row else None  # the first system's id stays
            return self.change(
                item.key,
                outcome.status,
                outcome.message or outcome.dest_id,
                status=self._delivered_status(item.record),
                dest_id=kept_id or outcome.dest_id,
                last_error=None,
                first_error_at=None,
                **_SETTLED,
            )
        if outcome.status == "unknown":
            note = RECOMPUTE_NOTE if self.spec.recovery == "recompute" else UNKNOWN_NOTE
            message = f"{message} ({note})"
        self.report.problem(item.key, message)
        if outcome.status == "rejected":
            return self.change(item.key, "rejected", message, status="error", last_error=message, **_SETTLED)
        # retryable or unknown: tried again when due (an unknown one looked up first)
        waiting = (
            {"in_flight": True} if outcome.status == "unknown" else {"in_flight": False, "resend": False}
        )
        first, next_attempt = self._retry_schedule(item.row, now)
        if next_attempt is None:
            gave_up = f"{message} (gave up after retrying for {self.ledger.retry_for})"
            return self.change(
                item.key,
                outcome.status,
                message,
                status="error",
                transient=False,
                last_error=gave_up,
                next_attempt_at=None,
                **waiting,
            )
        return self.change(
            item.key,
            outcome.status,
            message,
            status="error" if outcome.status == "retryable" else KEEP,
            transient=True,
            last_error=message,
            first_error_at=first,
            next_attempt_at=next_attempt,
            **waiting,
        )

    def _delivered_status(self, record: dict[str, Any]) -> str:
        if self.pipeline.sets_expr is not None:
            chosen = self.pipeline.sets_expr.search(record)
            if chosen:
                return str(chosen)
        return self.ledger.sets

    def _retry_schedule(self, row: LedgerRow | None, now: str) -> tuple[str, str | None]:
        """(first failure, next attempt) of a transient failure: growing intervals from
        `retry_every`; the next attempt is None once `retry_for` has passed (a person must act)."""
        first = row.first_error_at if row and row.transient and row.first_error_at else now
        attempts = (row.attempts if row else 0) + 1
        current = datetime.fromisoformat(now)
        if current - datetime.fromisoformat(first) >= self._retry_for:
            return first, None
        delay = self._retry_every * min(2 ** (attempts - 1), 24)
        return first, (current + delay).isoformat(timespec="seconds")

    # -- asking the destination -------------------------------------------------------------

    def already_there(self, items: list[Pending]) -> list[Pending]:
        """Before a resend: what the destination has is recorded (not sent twice), what it cannot
        tell now waits for the next run; the items it has no trace of are returned, safe to send."""
        answers = self._ask(items, "the resend waits for the next run")
        there = [
            (item, answer) for item, answer in zip(items, answers, strict=True) if answer and answer.delivered
        ]
        for item, answer in zip(items, answers, strict=True):
            if answer is not None and not answer.delivered:
                self.report.count(RETRYING)
                self.report.problem(item.key, answer.message or "unknown")
        self.record_outcomes(
            [item for item, _ in there], [Outcome.duplicate(a.dest_id, ALREADY_THERE) for _, a in there]
        )
        return [item for item, answer in zip(items, answers, strict=True) if answer is None]

    def settle_in_flight(self, chunk: int, progress: Callable[[], None]) -> set[str]:
        """Settle every row whose last send has no known outcome, `chunk` rows at a time, each
        chunk's answers saved before the next is asked (a crash during recovery keeps them).
        Returns the keys now recorded as delivered."""
        delivered: set[str] = set()
        after = None
        while rows := self.store.in_flight_rows(self.name, self.ledger.entity, after=after, limit=chunk):
            after = rows[-1].key
            if self.spec.recovery == "recompute":
                self._recompute(rows)
            else:
                answers = self._ask([Pending.in_flight(row) for row in rows], "asked again on the next run")
                delivered |= self._record_answers(rows, answers)
            progress()
        return delivered

    def _ask(self, items: list[Pending], meanwhile: str) -> list[Outcome | None]:
        """The destination's answer about each record: done, None (no trace) or unknown."""
        try:
            answers = self.destination.reconcile(self.stream, [item.payload for item in items])
        except ConnectError:
            raise
        except TransientError as error:
            return [Outcome.unknown(f"{error.message} ({meanwhile})")] * len(items)
        if len(answers) != len(items):
            raise CartsyncError(
                f"connector {self.destination.name} answered about {len(answers)} of {len(items)} records"
            )
        wrong = [
            answer.status
            for answer in answers
            if answer and answer.status not in ("ok", "duplicate", "unknown")
        ]
        if wrong:
            raise CartsyncError(
                f"connector {self.destination.name} answered {wrong[0]!r} to reconcile, which answers "
                "done (ok, duplicate), None or unknown"
            )
        return answers

    def _record_answers(self, rows: list[LedgerRow], answers: list[Outcome | None]) -> set[str]:
        """Save what the destination said about in-flight rows, in one transaction."""
        now = self._now_text()
        done, changes = [], []
        for row, answer in zip(rows, answers, strict=True):
            if answer is None:
                changes.append(self._no_trace(row, now))
            elif answer.delivered:
                done.append((Pending.in_flight(row), answer))
            else:
                self.report.count(UNKNOWN)
                self.report.problem(row.key, f"{answer.message} ({UNKNOWN_NOTE})")
                changes.append(self.change(row.key, "unknown", answer.message))
        self.record_outcomes([item for item, _ in done], [answer for _, answer in done], also=changes)
        return {item.key for item, _ in done}

    def _no_trace(self, row: LedgerRow, now: str) -> RowChange:
        """The destination has no trace of the send: it is safe to send again, when due."""
        if row.status == "error" and not row.transient:
            message = "the destination has no trace of it; it waits in error for `cartsync orders resend`"
            return self.change(row.key, "reconciled", message, in_flight=False)
        when = row.next_attempt_at if row.next_attempt_at and row.next_attempt_at > now else None
        message = "the destination has no trace of it; it will be sent again " + (
            f"at {when}" if when else "now"
        )
        message += ", once released" if row.held else ""
        return self.change(
            row.key,
            "reconciled",
            message,
            in_flight=False,
            transient=True,
            first_error_at=row.first_error_at or now,
        )

    def _recompute(self, rows: list[LedgerRow]) -> None:
        """An absolute value whose send is unknown is never replayed: forget what was delivered, so
        the read computes the current value and sends it."""
        message = "the last send has no known outcome; the current value is computed and sent instead"
        with self.store.transaction() as tx:
            for row in rows:
                tx.forget_delivery(self.name, self.ledger.entity, row.key)
                tx.change(self.change(row.key, "recompute", message, in_flight=False))

    def _now_text(self) -> str:
        return self._now().isoformat(timespec="seconds")


def _describe(error: Exception) -> str:
    if isinstance(error, CartsyncError):
        return error.message
    return redact(f"{type(error).__name__}: {error}")
