"""The record path: batches sent when full whatever the source's pages, one transaction a batch (its
outcomes with the next batch's intents), one event per outcome, the ledger read a page at a time, the
source read ahead by a bounded number of pages, and the protocol's order kept while one batch is
written as the next is prepared: a result is committed before the run waits on the source."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import pytest

from cartsync.connectors.files.connector import FilesConnector
from cartsync.engine.connector import Outcome, Page, StreamSpec
from cartsync.engine.read_ahead import DEPTH
from cartsync.engine.runner import Runner
from cartsync.engine.state import StateStore
from cartsync.engine.workspace import prepare

BATCH = 4
PAGE = 3


def contact(n: int) -> dict[str, Any]:
    return {"id": n, "first": "A", "last": f"L{n}", "email": f"a{n}@x", "country": "FR"}


class SmallPages(FilesConnector):
    """The inbox, read 3 records a page; counts the pages it has handed out."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.pages = 0

    def read(self, stream: str, params: Mapping[str, Any], cursor: Mapping[str, Any] | None
             ) -> Iterator[Page]:
        start = int((cursor or {}).get("line", 0))
        for page in super().read(stream, params, cursor):
            for first in range(0, len(page.records), PAGE):
                records = page.records[first:first + PAGE]
                self.pages += 1
                yield Page(records, {"line": start + first + len(records)})
            start += len(page.records)


class SmallBatches(FilesConnector):
    """The outbox, written 4 records a call; remembers each call's records."""

    streams: ClassVar[Mapping[str, StreamSpec]] = {
        "cards": StreamSpec("cards", "both", "files/record.schema.json", batch_size=BATCH)
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.calls: list[list[int]] = []

    def write(self, stream: str, records: list[dict[str, Any]]) -> list[Outcome]:
        self.calls.append([record["id"] for record in records])
        return super().write(stream, records)


@pytest.fixture
def connectors(workspace):
    return (SmallPages("inbox", {"folder": str(workspace / "in")}),
            SmallBatches("outbox", {"folder": str(workspace / "out")}))


def run_with(workspace, source, destination, store: StateStore | None = None):
    store = store or StateStore.open(workspace / "state.db")
    prepared = prepare(workspace / "contacts.yaml", None, store)
    try:
        return Runner(prepared.pipeline, source, destination, store).run(), store
    finally:
        prepared.close()


def test_batches_are_sent_when_full_not_at_the_end_of_each_source_page(workspace, add_contacts, connectors):
    add_contacts(*(contact(n) for n in range(1, 19)))
    source, destination = connectors
    report, store = run_with(workspace, source, destination)
    assert report.counts == {"sent": 18}
    assert source.pages == 6, "18 records, 3 a page"
    assert destination.calls == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16], [17, 18]]
    assert store.cursor("contacts") == {"line": 18}


def test_a_batch_takes_one_transaction_its_outcomes_with_the_next_batchs_intents_and_one_event_each(
        workspace, add_contacts, connectors):
    add_contacts(*(contact(n) for n in range(1, 13)))
    store = StateStore.open(workspace / "state.db")
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    report, _ = run_with(workspace, *connectors, store)
    store.db.set_trace_callback(None)

    transactions: list[list[str]] = []
    for statement in statements:
        if statement.startswith("BEGIN"):
            transactions.append([])
        elif transactions:
            transactions[-1].append(statement)
    writes_rows = ("INSERT INTO ledger ", "UPDATE ledger")
    writing = [t for t in transactions if any(s.startswith(writes_rows) for s in t)]
    assert report.counts == {"sent": 12}
    assert len(writing) == 3 + 1, "3 batches of 4: the first's intents, then each one's outcomes"
    intents = [t for t in writing if any("RETURNING key" in s for s in t)]
    assert intents == writing[:3], "the outcomes of a batch are committed with the next batch's intents"
    assert [len([s for s in t if "RETURNING key" in s]) for t in intents] == [1, 1, 1], (
        "one statement records a whole batch's intents")
    events = [[event["event"] for event in store.events("contacts", str(n))] for n in (1, 12)]
    assert events == [["ok"], ["ok"]]


def test_the_ledger_is_read_once_a_source_page_not_once_a_record(workspace, add_contacts, connectors):
    add_contacts(*(contact(n) for n in range(1, 13)))
    store = StateStore.open(workspace / "state.db")
    run_with(workspace, *connectors, store)  # every contact has a row now
    add_contacts(*(contact(n) for n in range(13, 16)))
    store.reset_cursor("contacts")
    reads: list[str] = []
    store.db.set_trace_callback(lambda sql: reads.append(sql) if sql.startswith("SELECT") else None)
    report, _ = run_with(workspace, *connectors, store)
    store.db.set_trace_callback(None)
    assert report.counts == {"sent": 3, "unchanged": 12}
    per_key = [sql for sql in reads if "AND key IN (" in sql]  # the statements as run, values filled in
    assert len([sql for sql in per_key if " FROM ledger " in sql]) == 5, "5 pages"
    assert len([sql for sql in per_key if " FROM deliveries " in sql]) == 5
    assert not [sql for sql in reads if "AND key = " in sql], "no record looked up alone"


class Recorder(SmallBatches):
    """Checks from another connection, at each write, that the protocol's order holds: every record
    of this call has its intent committed, every record of earlier calls its outcome."""

    def __init__(self, *args: Any, state) -> None:
        super().__init__(*args)
        self.state = state
        self.broken: list[str] = []

    def write(self, stream: str, records: list[dict[str, Any]]) -> list[Outcome]:
        other = StateStore.open(self.state)
        try:
            for record in records:
                if not other.row("contacts", str(record["id"])).in_flight:
                    self.broken.append(f"no intent for {record['id']} before its write")
            for call in self.calls:
                for key in call:
                    row = other.row("contacts", str(key))
                    if row.in_flight or row.status != "done":
                        self.broken.append(f"the outcome of {key} is not recorded before the next write")
        finally:
            other.close()
        return super().write(stream, records)


def test_an_intent_is_committed_before_its_write_and_an_outcome_before_the_next_write(
        workspace, add_contacts):
    add_contacts(*(contact(n) for n in range(1, 15)))
    source = SmallPages("inbox", {"folder": str(workspace / "in")})
    destination = Recorder("outbox", {"folder": str(workspace / "out")}, state=workspace / "state.db")
    report, _ = run_with(workspace, source, destination)
    assert report.counts == {"sent": 14}
    assert len(destination.calls) == 4
    assert destination.broken == []


class HoldsTheFirstWrite(SmallBatches):
    """An outbox whose first write waits until the test lets it go."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.holding = threading.Event()
        self.release = threading.Event()

    def write(self, stream: str, records: list[dict[str, Any]]) -> list[Outcome]:
        if not self.calls:
            self.holding.set()
            self.release.wait(timeout=30)
        return super().write(stream, records)


def test_the_source_is_read_ahead_while_a_batch_is_written_but_only_a_few_pages(workspace, add_contacts):
    add_contacts(*(contact(n) for n in range(1, 61)))  # 20 pages of 3
    source = SmallPages("inbox", {"folder": str(workspace / "in")})
    destination = HoldsTheFirstWrite("outbox", {"folder": str(workspace / "out")})
    result: list[Any] = []
    run = threading.Thread(target=lambda: result.append(run_with(workspace, source, destination)))
    run.start()
    assert destination.holding.wait(timeout=30), "the first write began"
    time.sleep(0.5)  # time for an unbounded reader to read everything
    read_while_held = source.pages
    destination.release.set()
    run.join(timeout=60)
    # The run has taken batch 2 (records 5-8, pages 2-3) and waits for batch 1's write; the reader
    # may have queued DEPTH more pages and hold one more it cannot queue.
    assert 2 <= read_while_held <= 3 + DEPTH + 1 < 20
    report, _ = result[0]
    assert report.counts == {"sent": 60}


class StallsAfterTwoPages(SmallPages):
    """The inbox, whose third page comes only when the test lets it go (a slow or stalled store)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.stalled = threading.Event()
        self.release = threading.Event()

    def read(self, stream: str, params: Mapping[str, Any], cursor: Mapping[str, Any] | None
             ) -> Iterator[Page]:
        for number, page in enumerate(super().read(stream, params, cursor), start=1):
            if number == 3:
                self.stalled.set()
                self.release.wait(timeout=30)
            yield page


def test_a_batchs_outcomes_are_committed_before_the_run_waits_on_the_source(workspace, add_contacts):
    add_contacts(*(contact(n) for n in range(1, 13)))
    source = StallsAfterTwoPages("inbox", {"folder": str(workspace / "in")})
    destination = SmallBatches("outbox", {"folder": str(workspace / "out")})
    result: list[Any] = []
    run = threading.Thread(target=lambda: result.append(run_with(workspace, source, destination)))
    run.start()
    try:
        assert source.stalled.wait(timeout=30), "the source stalled at its third page"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not destination.calls:
            time.sleep(0.02)
        time.sleep(0.5)  # the first batch's write (records 1-4) has returned; the source still waits
        other = StateStore.open(workspace / "state.db")
        try:
            rows = [other.row("contacts", str(n)) for n in range(1, 5)]
        finally:
            other.close()
        assert destination.calls == [[1, 2, 3, 4]]
        assert [(row.status, row.in_flight) for row in rows] == [("done", False)] * 4, (
            "a known result is durable while the run waits for the source, not held for the next batch")
    finally:
        source.release.set()
        run.join(timeout=60)
    report, _ = result[0]
    assert report.counts == {"sent": 12}
