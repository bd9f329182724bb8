"""Runs one pipeline: read, filter, map, validate, write, and record every outcome.

Per record (DESIGN.md, "One run, as data"):

    key -> ledger checks -> filters -> map -> validate -> unchanged? -> intent -> write -> outcome

The ledger records the intent to send (`in_flight`) and commits it before the write, and it
records every outcome before the cursor moves. The cursor moves only past pages whose records
all have final, durable outcomes. A run first reconciles sends whose result was never learned
(a crash mid-write), then sends what a person asked to resend, then reads new records.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cartsync.engine.config.model import PipelineConfig
from cartsync.engine.connector import Connector, Outcome
from cartsync.engine.dates import parse_moment
from cartsync.engine.errors import CartsyncError, ConnectError, TransientError
from cartsync.engine.mapping import MappingError
from cartsync.engine.pipeline import CompiledPipeline
from cartsync.engine.report import (
    DUPLICATE,
    NOT_FOUND,
    REJECTED,
    RETRYING,
    SENT,
    SKIPPED,
    UNCHANGED,
    WOULD_SEND,
    Problem,
    RunReport,
)
from cartsync.engine.state import LedgerRow, StateStore

ProgressCallback = Callable[[RunReport], None]


@dataclass
class RunOptions:
    dry_run: bool = False
    limit: int | None = None  # stop after this many source records
    full: bool = False  # send even what was already delivered with the same content
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


@dataclass
class _Pending:
    key: str
    record: dict[str, Any]
    payload: Any
    content_hash: str
    row: LedgerRow | None


@dataclass
class _Batch:
    items: list[_Pending] = field(default_factory=list)
    all_final: bool = True  # every record seen so far has a final outcome


def content_hash(payload: Any) -> str:
    return hashlib.sha1(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


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
        self.destination = destination
        self.store = store
        self.options = options or RunOptions()
        self.progress = progress or (lambda report: None)
        self.report = RunReport(pipeline=self.config.name, dry_run=self.options.dry_run)
        self._seen: set[str] = set()
        self._retry_for = _duration(self.ledger.retry_for)
        self._retry_every = _duration(self.ledger.retry_every)
        self._batch_size = destination.streams[self.config.destination.stream].batch_size

    # -- the run --------------------------------------------------------------------------

    def run(self) -> RunReport:
        name = self.config.name
        if self.options.dry_run:
            self._read_and_process(cursor_updates=False)
            return self.report
        self.store.acquire_lock(name)
        try:
            self.report.run_id = self.store.start_run(name)
            try:
                self._reconcile_in_flight()
                self._process_resends()
                self._read_and_process(cursor_updates=True)
            except CartsyncError as error:
                self.store.finish_run(self.report.run_id, "aborted", dict(self.report.counts), str(error))
                raise
            self.store.finish_run(
                self.report.run_id, self.report.status, dict(self.report.counts), _summary(self.report)
            )
        finally:
            self.store.release_lock(name)
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

    # -- one record -----------------------------------------------------------------------

    def _process(self, record: dict[str, Any], batch: _Batch, *, resend: bool = False) -> None:
        key_value = self.pipeline.key.search(record)
        if key_value is None:
            self._skip(batch, "(no key)", f"the key expression `{self.config.key}` gave null", final=True)
            return
        key = str(key_value)
        if key in self._seen:
            return  # read twice in one run (overlap window): handled once
        self._seen.add(key)
        row = self.store.row(self.ledger.entity, key)

        if not resend and not self._ledger_allows(key, row, batch):
            return
        try:
            record = self.pipeline.enrich(record)
        except MappingError as error:
            self._reject_before_send(key, record, f"derive: {error}", row)
            return
        reason = self.pipeline.skip_reason(record)
        if reason is not None:
            self._skip(batch, key, reason, final=True, row=row, record=record)
            return
        try:
            payload = self.pipeline.mapper.apply(record)
        except MappingError as error:
            self._reject_before_send(key, record, str(error), row)
            return
        problems = self.pipeline.validator.errors(payload) if self.pipeline.validator else []
        if problems:
            message = (
                "mapped record does not fit " + self.config.destination.stream + ": " + "; ".join(problems)
            )
            self._reject_before_send(key, record, message, row)
            return
        digest = content_hash(payload)
        if (
            not (self.options.full or resend)
            and self.store.delivered_hash(self.config.name, self.ledger.entity, key) == digest
        ):
            self.report.count(UNCHANGED)
            return
        if self.options.dry_run:
            self.report.count(WOULD_SEND)
            self.report.previews.append((record, payload))
            return
        batch.items.append(_Pending(key, record, payload, digest, row))
        if len(batch.items) >= self._batch_size:
            self._flush(batch)

    def _ledger_allows(self, key: str, row: LedgerRow | None, batch: _Batch) -> bool:
        """Apply the ledger's rules; count and explain a skip. False means skip."""
        ledger = self.ledger
        if ledger.requires and (row is None or row.status not in ledger.requires):
            why = "not sent by cartsync" if row is None else f"its order is '{row.status}'"
            self._skip(batch, key, f"{why} (needs {' or '.join(ledger.requires)})", final=True)
            return False
        if row is None:
            return True
        if row.held:
            self._skip(batch, key, "held by a person (release it to send)", final=True)
            return False
        if row.status in ledger.done:
            self._skip(batch, key, f"already {row.status}", final=True)
            return False
        if row.status == "error" and not row.transient:
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
    ) -> None:
        self.report.count(SKIPPED)
        self.report.skip_reasons[reason] += 1
        batch.all_final = batch.all_final and final
        if record is None or self.options.dry_run:
            return
        if row is None or (row.status == "skipped" and row.last_error != reason):
            self._write_row(key, "skipped", reason, status="skipped", last_error=reason, record=record)

    def _reject_before_send(
        self, key: str, record: dict[str, Any], message: str, row: LedgerRow | None
    ) -> None:
        self.report.count(REJECTED)
        self.report.problems.append(Problem(key, message))
        if self.options.dry_run:
            return
        self._write_row(
            key,
            "rejected",
            message,
            status="error",
            last_error=message,
            transient=0,
            resend=0,
            record=record,
            next_attempt_at=None,
        )

    def _write_row(self, key: str, event: str, message: str, **fields: Any) -> None:
        """Update one ledger row, with its event, in its own transaction."""
        with self.store.transaction() as db:
            self._upsert(db, key, event=event, message=message, **fields)

    def _upsert(self, db: Any, key: str, **fields: Any) -> None:
        """Update a row of this pipeline's entity inside the caller's transaction, as this run."""
        self.store.upsert(
            db, self.ledger.entity, key, pipeline=self.config.name, run_id=self.report.run_id, **fields
        )

    # -- writing --------------------------------------------------------------------------

    def _flush(self, batch: _Batch) -> None:
        if not batch.items:
            return
        items, batch.items = batch.items, []
        with self.store.transaction() as db:  # the intent is durable before the call
            for item in items:
                self._upsert(
                    db,
                    item.key,
                    event="sending",
                    status=self.ledger.pending,
                    record=item.record,
                    payload=item.payload,
                    in_flight=1,
                    attempts=(item.row.attempts if item.row else 0) + 1,
                )
        try:
            outcomes = self.destination.write(
                self.config.destination.stream, [item.payload for item in items]
            )
        except ConnectError:
            raise  # in-flight rows are reconciled by the next run
        except TransientError as error:
            outcomes = [Outcome.retryable(str(error))] * len(items)
        if len(outcomes) != len(items):
            raise CartsyncError(
                f"connector {self.destination.name} returned {len(outcomes)} outcomes "
                f"for {len(items)} records"
            )
        self._record_outcomes(items, outcomes, batch)

    def _record_outcomes(self, items: Iterable[_Pending], outcomes: list[Outcome], batch: _Batch) -> None:
        now = self._now_text()
        with self.store.transaction() as db:
            for item, outcome in zip(items, outcomes, strict=True):
                fields: dict[str, Any] = {"in_flight": 0, "resend": 0}
                if outcome.delivered:
                    status = self._delivered_status(item.record)
                    kept_id = item.row.dest_id if item.row else None  # the first system's id stays
                    fields.update(
                        status=status,
                        dest_id=kept_id or outcome.dest_id,
                        transient=0,
                        last_error=None,
                        first_error_at=None,
                        next_attempt_at=None,
                    )
                    self.store.record_delivery(
                        db, self.config.name, self.ledger.entity, item.key, item.content_hash, outcome.dest_id
                    )
                    self.report.count(SENT if outcome.status == "ok" else DUPLICATE)
                elif outcome.is_not_found:
                    fields.update(status="not_found", last_error=outcome.message, transient=0)
                    self.store.record_delivery(
                        db, self.config.name, self.ledger.entity, item.key, item.content_hash, None
                    )
                    self.report.count(NOT_FOUND)
                    self.report.not_found.append(Problem(item.key, outcome.message or "not found"))
                elif outcome.status == "rejected":
                    fields.update(
                        status="error", last_error=outcome.message, transient=0, next_attempt_at=None
                    )
                    self.report.count(REJECTED)
                    self.report.problems.append(Problem(item.key, outcome.message or "rejected"))
                else:
                    fields.update(self._retry_fields(item.row, outcome.message or "transient failure", now))
                    self.report.count(RETRYING)
                    self.report.problems.append(Problem(item.key, outcome.message or "transient failure"))
                    batch.all_final = batch.all_final and not fields["transient"]
                self._upsert(
                    db,
                    item.key,
                    event=outcome.status,
                    message=outcome.message or outcome.dest_id,
                    **fields,
                )

    def _delivered_status(self, record: dict[str, Any]) -> str:
        if self.pipeline.sets_expr is not None:
            chosen = self.pipeline.sets_expr.search(record)
            if chosen:
                return str(chosen)
        return self.ledger.sets

    def _retry_fields(self, row: LedgerRow | None, message: str, now: str) -> dict[str, Any]:
        """Transient failure: retry later at growing intervals, until the retry window closes."""
        first = row.first_error_at if row and row.transient and row.first_error_at else now
        attempts = (row.attempts if row else 0) + 1
        started = datetime.fromisoformat(first)
        current = datetime.fromisoformat(now)
        if current - started >= self._retry_for:
            return {
                "status": "error",
                "transient": 0,
                "last_error": f"{message} (gave up after retrying for {self.ledger.retry_for})",
                "next_attempt_at": None,
            }
        delay = self._retry_every * min(2 ** (attempts - 1), 24)
        return {
            "status": "error",
            "transient": 1,
            "last_error": message,
            "first_error_at": first,
            "next_attempt_at": (current + delay).isoformat(timespec="seconds"),
        }

    # -- recovery and requests from people ------------------------------------------------

    def _reconcile_in_flight(self) -> None:
        """Ask the destination what became of sends whose result was never recorded."""
        rows = self.store.rows(
            self.ledger.entity, where="in_flight = 1 AND pipeline = ?", args=(self.config.name,)
        )
        if not rows:
            return
        outcomes = self.destination.reconcile(self.config.destination.stream, [row.payload for row in rows])
        known = [(row, outcome) for row, outcome in zip(rows, outcomes, strict=True) if outcome is not None]
        items = [
            _Pending(row.key, row.record or {}, row.payload, content_hash(row.payload), row)
            for row, _ in known
        ]
        self._record_outcomes(items, [outcome for _, outcome in known], _Batch())
        with self.store.transaction() as db:  # no trace at the destination: safe to send again
            for row, outcome in zip(rows, outcomes, strict=True):
                if outcome is None:
                    self._upsert(
                        db,
                        row.key,
                        event="reconciled",
                        message="the destination has no trace of it; it will be sent again",
                        in_flight=0,
                        resend=1,
                    )

    def _process_resends(self) -> None:
        rows = self.store.rows(
            self.ledger.entity,
            where="resend = 1 AND record IS NOT NULL AND pipeline = ?",
            args=(self.config.name,),
        )
        batch = _Batch()
        for row in rows:
            self._process(row.record or {}, batch, resend=True)
        self._flush(batch)

    def _now_text(self) -> str:
        return self.options.now().isoformat(timespec="seconds")


def _duration(text: str) -> timedelta:
    """'15 days' -> timedelta, reusing the moment parser ('15 days ago' relative to a fixed epoch)."""
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    return epoch - parse_moment(f"{text} ago", now=epoch)


def _summary(report: RunReport) -> str:
    return ", ".join(f"{count} {name}" for name, count in sorted(report.counts.items())) or "nothing to do"
