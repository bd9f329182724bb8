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
from cartsync.engine.delivery import UNKNOWN_NOTE, Delivery, Pending, content_hash
from cartsync.engine.mapping import MappingError
from cartsync.engine.pipeline import CompiledPipeline
from cartsync.engine.report import REJECTED, SKIPPED, UNCHANGED, WOULD_SEND, RunReport
from cartsync.engine.state import DEFAULT_LEASE_SECONDS, LedgerRow, StateStore
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
    items: list[Pending] = field(default_factory=list)
    all_final: bool = True  # every record seen so far has a final outcome
    ask_first: bool = False  # resends: the destination may already have them


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
        self._seen: set[str] = set()

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
                self._seen |= self.delivery.settle_in_flight(
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
        cursor = None if self.options.full else self.store.cursor(self.config.name)
        read = 0
        pages = self.source.read(self.config.source.stream, self.config.source.params, cursor)
        for page in pages:
            records = page.records
            if self.options.limit is not None:
                records = records[: max(0, self.options.limit - read)]
            read += len(records)
            for record in records:
                self._process(record, batch)
            self._flush(batch)
            complete_page = len(records) == len(page.records)
            if cursor_updates and batch.all_final and complete_page and page.cursor is not None:
                self.store.save_cursor(self.config.name, page.cursor)
            self.progress(self.report)
            if self.options.limit is not None and read >= self.options.limit:
                break

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
                self._process(row.record or {}, batch, from_ledger=True)
            self._flush(batch)

    # -- one record -----------------------------------------------------------------------

    def _process(self, record: dict[str, Any], batch: _Batch, *, from_ledger: bool = False) -> None:
        """Map one record and add it to the batch. `from_ledger`: a resend or a due retry, taken
        from the ledger (whose rules chose it already)."""
        try:
            key_value = self.pipeline.key.search(record)
        except MappingError as error:
            reason = f"the key expression `{self.config.key}` failed: {error}"
            self._skip(batch, "(no key)", reason, final=True)
            return
        if key_value is None:
            self._skip(batch, "(no key)", f"the key expression `{self.config.key}` gave null", final=True)
            return
        key = str(key_value)
        if key in self._seen:
            return  # read twice in one run (overlap window), or settled already: handled once
        self._seen.add(key)
        row = self.store.row(self.ledger.entity, key)

        if not from_ledger and not self._ledger_allows(key, row, batch):
            return
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
            self._skip(batch, key, reason, final=True, row=row, record=record, settle=from_ledger)
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
        if (
            not (self.options.full or from_ledger)
            and self.store.delivered_hash(self.config.name, self.ledger.entity, key) == digest
        ):
            self.report.count(UNCHANGED)
            return
        if self.options.dry_run:
            self.report.count(WOULD_SEND)
            self.report.previews.append((record, payload))
            return
        batch.items.append(Pending(key, record, payload, digest, row))
        if len(batch.items) >= self.delivery.spec.batch_size:
            self._flush(batch)

    def _ledger_allows(self, key: str, row: LedgerRow | None, batch: _Batch) -> bool:
        """Apply the ledger's rules to a record read from the source; count and explain a skip."""
        ledger = self.ledger
        if row is not None and row.held:
            self._skip(batch, key, "held by a person (release it to send)", final=True)
            return False
        if row is not None and row.in_flight:
            self._skip(batch, key, UNKNOWN_NOTE, final=False)
            return False
        if ledger.requires and (row is None or row.status not in ledger.requires):
            why = "not sent by cartsync" if row is None else f"its order is '{row.status}'"
            self._skip(batch, key, f"{why} (needs {' or '.join(ledger.requires)})", final=True)
            return False
        if row is None:
            return True
        if row.status in ledger.done:
            self._skip(batch, key, f"already {row.status}", final=True)
            return False
        if row.status == "error" and not row.transient and not row.resend:
            # Held with its reason until a person resends it: re-reading it is no reason to retry.
            self._skip(batch, key, "held in error until resent (cartsync orders resend)", final=True)
            return False
        if row.transient and row.next_attempt_at and row.next_attempt_at > self._now_text():
            self._skip(batch, key, f"retry scheduled at {row.next_attempt_at}", final=False)
            return False
        return True

    def _skip(
        self,
        batch: _Batch,
        key: str,
        reason: str,
        *,
        final: bool,
        row: LedgerRow | None = None,
        record: dict[str, Any] | None = None,
        settle: bool = False,
    ) -> None:
        """Count a skip. A filter's reason is kept on a new row (a row another pipeline set keeps its
        status); `settle`: it also ends a resend or a retry taken from the ledger."""
        self.report.count(SKIPPED)
        self.report.skip_reasons[reason] += 1
        batch.all_final = batch.all_final and final
        if record is None or self.options.dry_run:
            return
        if row is None or settle or (row.status == "skipped" and row.last_error != reason):
            self.delivery.not_sent(key, "skipped", reason, record)

    def _reject_before_send(self, key: str, record: dict[str, Any], message: str) -> None:
        self.report.count(REJECTED)
        self.report.problem(key, message)
        if not self.options.dry_run:
            self.delivery.not_sent(key, "rejected", message, record)

    def _flush(self, batch: _Batch) -> None:
        items, batch.items = batch.items, []
        if items and batch.ask_first:
            items = self.delivery.already_there(items)
        if items and not self.delivery.send(items):
            batch.all_final = False

    def _now_text(self) -> str:
        return self.options.now().isoformat(timespec="seconds")


def _summary(report: RunReport) -> str:
    return ", ".join(f"{count} {name}" for name, count in sorted(report.counts.items())) or "nothing to do"
