"""Paged, filtered reads of the state store for people: the console's whole view of the state.

Every query a browsing front end needs is here, typed and paged, so that a page costs the same
with 100 ledger rows or 100,000 (migration 4 adds the indexes these queries use). The SQL is the
same on SQLite and PostgreSQL (no JSON functions, no date arithmetic; `COALESCE`, `LIKE … ESCAPE`,
`LIMIT … OFFSET`; rows read by column name). The one word that differs, the pattern match that
ignores case (SQLite's LIKE, PostgreSQL's ILIKE), comes from the store's backend.

A text search walks an index and stops once it has one page, so its pages are not counted:
`Page.total` is None and `Page.more` says whether another page follows. Every other page is counted.

Alerts and pipeline health are what `cartsync serve` records (engine/state/monitoring.py).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar

from cartsync.engine.state.ledger import with_payload
from cartsync.engine.state.monitoring import AlertRow, Monitoring, PipelineHealth, alert_row
from cartsync.engine.state.rows import LedgerRow
from cartsync.engine.state.runs import RUNS_SEEN, seen_run
from cartsync.engine.state.store import StateStore

T = TypeVar("T")

MAX_PAGE_SIZE = 200
# Ledger statuses that leave a record waiting to be delivered: its age is the pipeline's lag.
WAITING_STATUSES = ("new", "error")
# A run's problems: events that left a record failed, unknown to the destination, or unsure.
PROBLEM_STATUSES = ("error", "not_found", "unknown")
PROBLEM_EVENTS = ("rejected", "retryable", "unknown")
# Rows waiting for a person: written exactly as the partial index ledger_held_pipeline's condition,
# so that both databases read that index for it.
ATTENTION = "(status = 'error' OR held = 1)"


@dataclass(frozen=True)
class PageRequest:
    """Which page to read: `number` counts from 1; `size` is capped at MAX_PAGE_SIZE."""

    number: int = 1
    size: int = 50

    def __post_init__(self) -> None:
        object.__setattr__(self, "number", max(1, self.number))
        object.__setattr__(self, "size", min(MAX_PAGE_SIZE, max(1, self.size)))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass
class Page(Generic[T]):
    items: list[T]
    number: int
    size: int
    total: int | None  # rows matching the filters (None: not counted, see the module's docstring)
    more: bool = False  # another page follows

    def __post_init__(self) -> None:
        if self.total is not None:
            self.more = self.number * self.size < self.total

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max(1, math.ceil(self.total / self.size))

    @property
    def first(self) -> int:
        """1-based position of the first item shown (0 when there is none)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


@dataclass(frozen=True)
class LedgerFilter:
    entity: str = "order"
    status: str | None = None
    held: bool = False  # only rows a person put on hold
    attention: bool = False  # only rows waiting for a person: in `error`, or on hold (a pipeline's held)
    unknown: bool = False  # only rows in flight: sent, no reliable reply yet (looked up by the next run)
    text: str | None = None  # in the key, the destination id or the last message
    changed_from: date | None = None  # last changed on or after this day
    changed_to: date | None = None  # last changed on or before this day
    pipeline: str | None = None


@dataclass
class LedgerEvent:
    id: int
    entity: str
    key: str
    run_id: int | None
    pipeline: str | None
    event: str
    status: str | None
    message: str | None
    at: str


@dataclass
class LedgerDetail:
    row: LedgerRow
    events: list[LedgerEvent]
    delivered_at: str | None  # when its pipeline last delivered it (None: never, or forgotten)


@dataclass
class RunRow:
    id: int
    pipeline: str
    started_at: str
    ended_at: str | None
    status: str
    counts: dict[str, int]
    message: str | None

    @property
    def duration_seconds(self) -> float | None:
        if not self.ended_at:
            return None
        return (
            datetime.fromisoformat(self.ended_at) - datetime.fromisoformat(self.started_at)
        ).total_seconds()


@dataclass(frozen=True)
class RunFilter:
    pipeline: str | None = None
    status: str | None = None


@dataclass
class StockRow:
    sku: str  # the ledger key: the source system's SKU
    status: str
    payload: dict[str, Any] | None  # the record last sent (its `quantity`, and where it went)
    last_error: str | None
    updated_at: str
    delivered_at: str | None

    @property
    def quantity(self) -> Any:
        return self.payload.get("quantity") if isinstance(self.payload, dict) else None


@dataclass(frozen=True)
class StockFilter:
    text: str | None = None  # in the SKU
    not_found: bool = False  # only SKUs the destination does not know
    attention: bool = False  # only SKUs waiting for a person: in `error`, or on hold (a pipeline's held)
    pipeline: str | None = None
    entity: str = "stock"


@dataclass
class PipelineSummary:
    """One pipeline at a glance: its runs, what it holds, how far behind it is, and its health as
    `cartsync serve` records it (None where serve does not schedule it)."""

    pipeline: str
    last_run: RunRow | None
    last_ok: RunRow | None
    # Per entity, its rows waiting for a person: left in `error` or put on hold (Integration
    # Manager's 'Error'); exactly what `LedgerFilter(entity, pipeline=…, attention=True)` lists.
    held_by_entity: dict[str, int] = field(default_factory=dict)
    waiting_since: str | None = None  # created_at of its oldest record not yet delivered
    health: PipelineHealth | None = None

    @property
    def held(self) -> int:
        return sum(self.held_by_entity.values())

    @property
    def last_success_at(self) -> str | None:
        """When it last ran without a problem: serve's record, else the end of its last `ok` run."""
        if self.health and self.health.last_success_at:
            return self.health.last_success_at
        return (self.last_ok.ended_at or self.last_ok.started_at) if self.last_ok else None


@dataclass(frozen=True)
class AlertFilter:
    pipeline: str | None = None
    event: str | None = None  # held_records, connection_failing, … (engine/state/monitoring.py)
    status: str | None = None  # sending, sent or failed


class StateBrowser:
    """Read-only, paged views of one state store."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    # -- the ledger -----------------------------------------------------------------------

    def ledger_page(self, filters: LedgerFilter, page: PageRequest) -> Page[LedgerRow]:
        """Rows newest change first (then by key, descending: one backward walk of an index)."""
        where, args = self._ledger_where(filters)
        counted = not filters.text
        total = self._count(f"SELECT COUNT(*) AS value FROM ledger WHERE {where}", args) if counted else None
        # The page is cut first, then its payloads read: PostgreSQL would otherwise look up the
        # payload of every row an OFFSET skips (600 ms for the last of 100,000 rows). The page's
        # few rows are put back in order here, so no database sorts them again.
        page_rows = (
            f"(SELECT * FROM ledger WHERE {where} ORDER BY updated_at DESC, key DESC "
            "LIMIT ? OFFSET ?) AS page"
        )
        rows = self._rows(with_payload(page_rows, "page"), (*args, page.size + 1, page.offset))
        rows.sort(key=lambda row: (row["updated_at"], row["key"]), reverse=True)
        items = [LedgerRow.unpacked(row, self.store.packer) for row in rows[: page.size]]
        return Page(items, page.number, page.size, total, more=len(rows) > page.size)

    def status_counts(self, entity: str) -> dict[str, int]:
        """Rows per status, plus `held` (put on hold by a person) and `unknown` (in flight), whatever
        their status."""
        counts = {
            row["status"]: row["n"]
            for row in self._rows(
                "SELECT status, COUNT(*) AS n FROM ledger WHERE entity = ? GROUP BY status", (entity,)
            )
        }
        counts["held"] = self._count(
            "SELECT COUNT(*) AS value FROM ledger WHERE entity = ? AND held = 1", (entity,)
        )
        counts["unknown"] = self._count(
            "SELECT COUNT(*) AS value FROM ledger WHERE entity = ? AND in_flight = 1", (entity,)
        )
        return counts

    def ledger_detail(self, entity: str, key: str) -> LedgerDetail | None:
        row = self.store.row(entity, key)
        if row is None:
            return None
        events = self._rows(
            "SELECT * FROM ledger_events WHERE entity = ? AND key = ? ORDER BY id", (entity, key)
        )
        delivered = self._rows(
            "SELECT delivered_at FROM deliveries WHERE pipeline = ? AND entity = ? AND key = ?",
            (row.pipeline, entity, key),
        )
        return LedgerDetail(
            row,
            [_build(LedgerEvent, event) for event in events],
            delivered[0]["delivered_at"] if delivered else None,
        )

    # -- runs -----------------------------------------------------------------------------

    def runs_page(self, filters: RunFilter, page: PageRequest) -> Page[RunRow]:
        """Runs newest first; a run killed before it could end shows as `died`."""
        equal = {"pipeline": filters.pipeline, "status": filters.status}
        rows, total = self._equal_page(RUNS_SEEN, equal, "id DESC", page, (time.time(),))
        return Page([_run(row) for row in rows], page.number, page.size, total)

    def run(self, run_id: int) -> RunRow | None:
        found = self._rows(f"SELECT * FROM {RUNS_SEEN} WHERE id = ?", (time.time(), run_id))
        return _run(found[0]) if found else None

    def run_problems(self, run_id: int, page: PageRequest) -> Page[LedgerEvent]:
        """Events of one run that left a record failed, not found or unknown, in order."""
        where = (
            f"run_id = ? AND (status IN ({_marks(PROBLEM_STATUSES)}) OR event IN ({_marks(PROBLEM_EVENTS)}))"
        )
        args = (run_id, *PROBLEM_STATUSES, *PROBLEM_EVENTS)
        total = self._count(f"SELECT COUNT(*) AS value FROM ledger_events WHERE {where}", args)
        rows = self._rows(
            f"SELECT * FROM ledger_events WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
            (*args, page.size, page.offset),
        )
        return Page([_build(LedgerEvent, row) for row in rows], page.number, page.size, total)

    def pipelines(self) -> list[str]:
        """Every pipeline that ever ran, by name.

        A loose index scan (one index seek per name), so it stays cheap however many runs there are.
        """
        rows = self._rows(
            "WITH RECURSIVE names(name) AS ("
            " SELECT MIN(pipeline) FROM runs"
            " UNION ALL"
            " SELECT (SELECT MIN(pipeline) FROM runs WHERE pipeline > names.name) FROM names"
            " WHERE names.name IS NOT NULL"
            ") SELECT name FROM names WHERE name IS NOT NULL",
            (),
        )
        return [row["name"] for row in rows]

    def pipeline_summaries(self, client: str | None = None) -> list[PipelineSummary]:
        """Every pipeline that ran or that serve schedules (for `client`; None: any), by name."""
        health = {item.pipeline: item for item in Monitoring(self.store).all_health(client)}
        names = sorted({*self.pipelines(), *health})
        return [self.pipeline_summary(name, health.get(name)) for name in names]

    def pipeline_summary(self, pipeline: str, health: PipelineHealth | None = None) -> PipelineSummary:
        last = self._rows(
            f"SELECT * FROM {RUNS_SEEN} WHERE pipeline = ? ORDER BY id DESC LIMIT 1", (time.time(), pipeline)
        )
        last_ok = self._rows(
            f"SELECT * FROM {RUNS_SEEN} WHERE pipeline = ? AND status = 'ok' ORDER BY id DESC LIMIT 1",
            (time.time(), pipeline),
        )
        held = self._rows(  # the partial index ledger_held_pipeline: such rows are few
            f"SELECT entity, COUNT(*) AS n FROM ledger WHERE pipeline = ? AND {ATTENTION} GROUP BY entity",
            (pipeline,),
        )
        waiting_since = self._rows(
            "SELECT MIN(created_at) AS oldest FROM ledger"
            f" WHERE pipeline = ? AND status IN ({_marks(WAITING_STATUSES)})",
            (pipeline, *WAITING_STATUSES),
        )
        return PipelineSummary(
            pipeline,
            _run(last[0]) if last else None,
            _run(last_ok[0]) if last_ok else None,
            held_by_entity={row["entity"]: row["n"] for row in held},
            waiting_since=waiting_since[0]["oldest"] if waiting_since else None,
            health=health,
        )

    # -- stock ----------------------------------------------------------------------------

    def stock_page(self, filters: StockFilter, page: PageRequest) -> Page[StockRow]:
        """Stock rows by SKU, each with the record last sent and when it was delivered."""
        clauses, args = ["l.entity = ?"], [filters.entity]
        if filters.not_found:
            clauses.append("l.status = 'not_found'")
        if filters.attention:
            clauses.append("(l.status = 'error' OR l.held = 1)")
        if filters.pipeline:
            clauses.append("l.pipeline = ?")
            args.append(filters.pipeline)
        if filters.text:
            clauses.append(self._contains("l.key"))
            args.append(_pattern(filters.text))
        where = " AND ".join(clauses)
        total = self._count(f"SELECT COUNT(*) AS value FROM ledger l WHERE {where}", args)
        rows = self._rows(
            "SELECT l.key, l.status, l.record, p.payload, l.last_error, l.updated_at, d.delivered_at"
            " FROM ledger l"
            " LEFT JOIN payloads p ON p.entity = l.entity AND p.key = l.key"
            " LEFT JOIN deliveries d ON d.pipeline = l.pipeline AND d.entity = l.entity AND d.key = l.key"
            f" WHERE {where} ORDER BY l.key LIMIT ? OFFSET ?",
            (*args, page.size, page.offset),
        )
        packer = self.store.packer
        items = [
            StockRow(
                sku=row["key"],
                status=row["status"],
                payload=packer.unpack(row["payload"], packer.raw(row["record"])),
                last_error=row["last_error"],
                updated_at=row["updated_at"],
                delivered_at=row["delivered_at"],
            )
            for row in rows
        ]
        return Page(items, page.number, page.size, total)

    # -- alerts ---------------------------------------------------------------------------

    def alerts_page(self, filters: AlertFilter, page: PageRequest) -> Page[AlertRow]:
        """The alerts `cartsync serve` sent or is sending, newest first."""
        equal = {"pipeline": filters.pipeline, "event": filters.event, "status": filters.status}
        rows, total = self._equal_page("alerts", equal, "id DESC", page)
        return Page([alert_row(row) for row in rows], page.number, page.size, total)

    # -- SQL ------------------------------------------------------------------------------

    def _ledger_where(self, filters: LedgerFilter) -> tuple[str, list[Any]]:
        clauses, args = ["entity = ?"], [filters.entity]
        for clause, value in (
            ("status = ?", filters.status),
            ("pipeline = ?", filters.pipeline),
            ("updated_at >= ?", filters.changed_from and filters.changed_from.isoformat()),
            ("updated_at < ?", filters.changed_to and (filters.changed_to + timedelta(days=1)).isoformat()),
        ):
            if value:
                clauses.append(clause)
                args.append(value)
        if filters.held:
            clauses.append("held = 1")
        if filters.attention:
            clauses.append(ATTENTION)
        if filters.unknown:
            clauses.append("in_flight = 1")
        if filters.text:
            columns = ("key", "dest_id", "last_error")
            clauses.append("(" + " OR ".join(self._contains(column) for column in columns) + ")")
            args.extend([_pattern(filters.text)] * len(columns))
        return " AND ".join(clauses), args

    def _equal_page(
        self,
        source: str,
        equal: dict[str, str | None],
        order: str,
        page: PageRequest,
        source_args: tuple[Any, ...] = (),
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of `source`'s rows whose columns equal the given values (None: any), and their count."""
        wanted = {column: value for column, value in equal.items() if value}
        where = " AND ".join(f"{column} = ?" for column in wanted) or "1 = 1"
        args = [*source_args, *wanted.values()]
        total = self._count(f"SELECT COUNT(*) AS value FROM {source} WHERE {where}", args)
        rows = self._rows(
            f"SELECT * FROM {source} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
            (*args, page.size, page.offset),
        )
        return rows, total

    def _contains(self, column: str) -> str:
        """`column` matches a LIKE pattern, ignoring ASCII case on both databases."""
        return f"{column} {self.store.backend.like_any_case} ? ESCAPE '\\'"

    def _rows(self, sql: str, args: tuple[Any, ...] | list[Any]) -> list[dict[str, Any]]:
        return [dict(row) for row in self.store.db.execute(sql, tuple(args))]

    def _count(self, sql: str, args: tuple[Any, ...] | list[Any]) -> int:
        """The `value` a COUNT(*) query selects."""
        return int(self.store.db.execute(sql, tuple(args)).fetchone()["value"])


def _pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _marks(values: tuple[str, ...]) -> str:
    return ", ".join("?" * len(values))


def _run(row: dict[str, Any]) -> RunRow:
    return _build(RunRow, seen_run(row))


def _build(cls: type[T], row: dict[str, Any]) -> T:
    """A dataclass from a row, ignoring columns it does not name (later migrations add some)."""
    return cls(**{f.name: row[f.name] for f in dataclass_fields(cls)})  # type: ignore[arg-type]
