"""Runs one pipeline: read, filter, map, validate, write, and record every outcome.

Per record (DESIGN.md, "One run, as data"):

    key -> ledger checks -> filters -> map -> validate -> unchanged? -> intent -> write -> outcome

A run holds its pipeline's lease (renewed in the background) and works in three steps:

1. Recovery: rows whose last send has no known outcome (a crash, or an `unknown` result) are
   settled first through the destination, a chunk at a time (see delivery.py).
2. Ledger work: records a person asked to resend (the destination is asked first: it may already
   have them), then transient failures whose retry is due.
3. The read: records from the source, past the cursor.

Nothing sends a held row or a row in flight: the store refuses a new intent for them. The intent
is durable before the call; each outcome is durable before the cursor moves, and the cursor moves
only past records whose outcome is final (`unknown` is not).

Three things overlap (see pipelining.py): the source's next pages are read ahead on a thread of
their own, one batch is written on another while the run maps the next, and a batch is sent when
it is full (the stream's `batch_size`), however the source pages its records. The ledger is read
a page at a time and written a batch at a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cartsync.engine.config.model import PipelineConfig
from cartsync.engine.connector import Connector
from cartsync.engine.dates import parse_duration
from cartsync.engine.delivery import UNKNOWN_NOTE, Delivery, Pending, content_hash, same_content
from cartsync.engine.mapping import MappingError
from cartsync.engine.pipeline import CompiledPipeline
from cartsync.engine.pipelining import Flight, Writer
from cartsync.engine.read_ahead import ReadAhead
from cartsync.engine.report import REJECTED, SKIPPED, UNCHANGED, WOULD_SEND, RunReport
from cartsync.engine.state import DEFAULT_LEASE_SECONDS, LedgerRow, RowStatus, StateStore
from cartsync.engine.state.ledger import DEFAULT_CHUNK

ProgressCallback = Callable[[RunReport], None]


@dataclass
class RunOptions:
    dry_run: bool = False
    limit: int | None = None  # stop after this many source records
    full: bool = False  # send even what was already delivered with the same content
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    lease_seconds: float = DEFAULT_LEASE_SECONDS  # how long a run that died can block the pipeline
    chunk: int = DEFAULT_CHUNK  # ledger rows settled (and saved) at a time


@dataclass
class _Batch:
    """Records waiting to be sent, and the cursor of the last source page they complete."""

    items: list[Pending] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    cursor: dict[str, Any] | None = None
    ask_first: bool = False  # resends: the destination may already have them


@dataclass(frozen=True)
class _NoKey:
    """A record whose key expression gave null or failed: why."""

    reason: str


@dataclass
class _Known:
    """What the ledger knows about one page's keys, read in two queries."""

    rows: dict[str, RowStatus] = field(default_factory=dict)
    delivered: dict[str, str] = field(default_factory=dict)


class Runner:
    def __init__(
        self,
        pipeline: CompiledPipeline,
        source: Connector,
        destination: Connector,
        store: StateStore,
        options: RunOptions | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.config: PipelineConfig = pipeline.config
        self.ledger = pipeline.ledger
        self.source = source
        self.store = store
        self.options = options or RunOptions()
        self.progress = progress or (lambda report: None)
        self.report = RunReport(pipeline=self.config.name, dry_run=self.options.dry_run)
        retry = (parse_duration(self.ledger.retry_for), parse_duration(self.ledger.retry_every))
        self.delivery = Delivery(pipeline, destination, store, self.report, self.options.now, retry)
        self.writer = Writer(self.delivery)
        self._handled: set[str] = set()  # keys settled by recovery or sent from the ledger this run
        self._skips_final = True  # every record skipped so far by the read has a final outcome

    # -- the run --------------------------------------------------------------------------

    def run(self) -> RunReport:
        name = self.config.name
        if self.options.dry_run:
            self._read_and_process(cursor_updates=False)
            return self.report
        with self.store.hold_lease(name, seconds=self.options.lease_seconds) as keeper:
            self.report.started = time.time()
            self.delivery.keeper = keeper
            self.report.run_id = self.store.start_run(name, keeper.lease)
            try:
                with self.writer:
                    self._handled |= self.delivery.settle_in_flight(
                        self.options.chunk, lambda: self.progress(self.report)
                    )
                    self._send_from_ledger()
                    self._read_and_process(cursor_updates=True)
            except BaseException as error:
                reason = str(error) or type(error).__name__
                self.store.finish_run(self.report.run_id, "aborted", dict(self.report.counts), reason)
                raise
            finally:
                self.report.ended = time.time()
            self.store.finish_run(
                self.report.run_id, self.report.status, dict(self.report.counts), _summary(self.report)
            )
        return self.report

    def _read_and_process(self, *, cursor_updates: bool) -> None:
        batch = _Batch()
        self.writer.start_read()
        self._skips_final = True
        cursor = None if self.options.full else self.store.cursor(self.config.name)
        read = 0
        pages = self.source.read(self.config.source.stream, self.config.source.params, cursor)
        with ReadAhead(iter(pages), before_wait=self.writer.land) as ahead:
            for page in ahead:
                records = page.records
                if self.options.limit is not None:
                    records = records[: max(0, self.options.limit - read)]
                read += len(records)
                keys = [self._key_of(record) for record in records]
                known = self._known(keys)
                for record, key in zip(records, keys, strict=True):
                    self._process(record, key, batch, known)
                complete_page = len(records) == len(page.records)
                if cursor_updates and complete_page and page.cursor is not None:
                    self._reached(batch, page.cursor)
                self.progress(self.report)
                if self.options.limit is not None and read >= self.options.limit:
                    break
        self._flush(batch)
        self.writer.land()
        if not self.options.dry_run:
            self.delivery.write_queued()

    def _reached(self, batch: _Batch, cursor: dict[str, Any]) -> None:
        """The read finished a page: its cursor may be saved once every record up to here has a
        final, durable outcome (with the batch that holds the last of them, or now)."""
        if not self._skips_final:
            return
        if batch.items:
            batch.cursor = cursor
        elif not self.writer.carry_cursor(cursor):
            self.delivery.write_queued(cursor)

    def _known(self, keys: list[str | _NoKey]) -> _Known:
        """What the ledger knows about these keys: two queries a page instead of two a record."""
        keys = [key for key in keys if isinstance(key, str)]
        if not keys:
            return _Known()
        name, entity = self.config.name, self.ledger.entity
        delivered = {} if self.options.full else self.store.delivered_hashes(name, entity, keys)
        return _Known(self.store.statuses(entity, keys), delivered)

    def _key_of(self, record: dict[str, Any]) -> str | _NoKey:
        try:
            key = self.pipeline.key.search(record)
        except MappingError as error:
            return _NoKey(f"the key expression `{self.config.key}` failed: {error}")
        return _NoKey(f"the key expression `{self.config.key}` gave null") if key is None else str(key)

    def _send_from_ledger(self) -> None:
        """Resends a person asked for (the destination is asked first), then due retries.

        A `recompute` stream sends only current values: its resends and retries are sent by the
        read (the ledger's rules let them through), never from a stored record.
        """
        if self.delivery.spec.recovery == "recompute":
            return
        name, entity, chunk, now = self.config.name, self.ledger.entity, self.options.chunk, self._now_text()
        self._send_rows(
            lambda after: self.store.resend_rows(name, entity, after=after, limit=chunk),
            _Batch(ask_first=True),
        )
        self._send_rows(
            lambda after: self.store.due_retries(name, entity, now, after=after, limit=chunk), _Batch()
        )

    def _send_rows(self, page: Callable[[str | None], list[LedgerRow]], batch: _Batch) -> None:
        after = None
        while rows := page(after):
            after = rows[-1].key
            for row in rows:
                self._process_from_ledger(row, batch)
            self._flush(batch)
        self.writer.land()

    # -- one record -----------------------------------------------------------------------

    def _process(self, record: dict[str, Any], key: str | _NoKey, batch: _Batch, known: _Known) -> None:
        """Check a record read from the source against the ledger, map it, add it to the batch."""
        if isinstance(key, _NoKey):
            self._skip(key.reason, final=True)
            return
        if key in self._handled or key in batch.keys or self.writer.carries(key):
            return  # read twice in one run (overlap window), or settled already: handled once
        row = known.rows.get(key)
        if not self._ledger_allows(key, row):
            return
        self._map(key, record, row, batch, delivered=known.delivered.get(key))

    def _process_from_ledger(self, row: LedgerRow, batch: _Batch) -> None:
        """A resend or a due retry, taken from the ledger (whose rules chose it already)."""
        self._handled.add(row.key)
        self._map(row.key, row.record or {}, row, batch, delivered=None, from_ledger=True)

    def _map(
        self,
        key: str,
        record: dict[str, Any],
        row: RowStatus | None,
        batch: _Batch,
        *,
        delivered: str | None,
        from_ledger: bool = False,
    ) -> None:
        try:
            record = self.pipeline.enrich(record)
        except MappingError as error:
            self._reject_before_send(key, record, f"derive: {error}")
            return
        try:
            reason = self.pipeline.skip_reason(record)
        except MappingError as error:
            self._reject_before_send(key, record, f"filter: {error}")
            return
        if reason is not None:
            self._skip(reason, final=True, key=key, row=row, record=record, settle=from_ledger)
            return
        try:
            payload = self.pipeline.mapper.apply(record)
        except MappingError as error:
            self._reject_before_send(key, record, str(error))
            return
        problems = self.pipeline.validator.errors(payload) if self.pipeline.validator else []
        if problems:
            stream = self.config.destination.stream
            self._reject_before_send(
                key, record, f"mapped record does not fit {stream}: " + "; ".join(problems)
            )
            return
        digest = content_hash(payload)
        if not (self.options.full or from_ledger) and same_content(delivered, digest):
            self.report.count(UNCHANGED)
            return
        if self.options.dry_run:
            self.report.count(WOULD_SEND)
            self.report.previews.append((record, payload))
            return
        batch.items.append(Pending(key, record, payload, digest, row))
        batch.keys.add(key)
        if len(batch.items) >= self.delivery.spec.batch_size:
            self._flush(batch)

    def _ledger_allows(self, key: str, row: RowStatus | None) -> bool:
        """Apply the ledger's rules to a record read from the source; count and explain a skip."""
        ledger = self.ledger
        if row is not None and row.held:
            self._skip("held by a person (release it to send)", final=True)
            return False
        if row is not None and row.in_flight:
            self._skip(UNKNOWN_NOTE, final=False)
            return False
        if ledger.requires and (row is None or row.status not in ledger.requires):
            why = "not sent by cartsync" if row is None else f"its order is '{row.status}'"
            self._skip(f"{why} (needs {' or '.join(ledger.requires)})", final=True)
            return False
        if row is None:
            return True
        if row.status in ledger.done:
            self._skip(f"already {row.status}", final=True)
            return False
        if row.status == "error" and not row.transient and not row.resend:
            # Held with its reason until a person resends it: re-reading it is no reason to retry.
            self._skip("held in error until resent (cartsync orders resend)", final=True)
            return False
        if row.transient and row.next_attempt_at and row.next_attempt_at > self._now_text():
            self._skip(f"retry scheduled at {row.next_attempt_at}", final=False)
            return False
        return True

    def _skip(
        self,
        reason: str,
        *,
        final: bool,
        key: str | None = None,
        row: RowStatus | None = None,
        record: dict[str, Any] | None = None,
        settle: bool = False,
    ) -> None:
        """Count a skip. A filter's reason is kept on a new row (a row another pipeline set keeps its
        status); `settle`: it also ends a resend or a retry taken from the ledger."""
        self.report.count(SKIPPED)
        self.report.skip_reasons[reason] += 1
        self._skips_final = self._skips_final and final
        if key is None or record is None or self.options.dry_run:
            return
        if row is None or settle or (row.status == "skipped" and row.last_error != reason):
            self.delivery.not_sent(key, "skipped", reason, record)

    def _reject_before_send(self, key: str, record: dict[str, Any], message: str) -> None:
        self.report.count(REJECTED)
        self.report.problem(key, message)
        if not self.options.dry_run:
            self.delivery.not_sent(key, "rejected", message, record)

    def _flush(self, batch: _Batch) -> None:
        """Send the batch: once the write before it has ended, its outcomes and this batch's
        intents are committed, then this batch's write starts.

        The progress callback is called first: a run asked to stop (it raises) stops before the
        next batch, as it does after a source page."""
        items, cursor = batch.items, batch.cursor
        batch.items, batch.keys, batch.cursor = [], set(), None
        if self.options.dry_run:
            return
        if items:
            self.progress(self.report)
        if items and batch.ask_first:
            self.writer.land()  # the destination is asked while nothing else is written
            items = self.delivery.already_there(items)
        self.writer.send(Flight(items, cursor, self._skips_final))

    def _now_text(self) -> str:
        return self.options.now().isoformat(timespec="seconds")


def _summary(report: RunReport) -> str:
    return ", ".join(f"{count} {name}" for name, count in sorted(report.counts.items())) or "nothing to do"
