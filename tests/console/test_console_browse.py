"""The state layer's paged reads (engine/state/browse.py), each on a real SQLite file and a real
PostgreSQL schema (`any_ledger`), and the indexes they read on each."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date

import pytest
from console_helpers import seed_ledger

from cartsync.engine.state import RowChange, StateStore
from cartsync.engine.state.browse import (
    AlertFilter,
    LedgerFilter,
    PageRequest,
    RunFilter,
    StateBrowser,
    StockFilter,
)
from cartsync.engine.state.migrations import MIGRATIONS
from cartsync.engine.state.monitoring import Alert, Monitoring


@pytest.fixture
def browse() -> Iterator:
    """browse(location) → a StateBrowser on a store opened there, closed after the test."""
    stores: list[StateStore] = []

    def open_browser(location) -> StateBrowser:
        stores.append(StateStore.open(location))
        return StateBrowser(stores[-1])

    yield open_browser
    for store in stores:
        store.close()


def test_ledger_pages_filter_by_status_hold_text_and_date(any_ledger, browse):
    browser = browse(any_ledger)
    everything = browser.ledger_page(LedgerFilter(), PageRequest(size=4))
    assert (everything.total, len(everything.items), everything.pages) == (11, 4, 3)
    last = browser.ledger_page(LedgerFilter(), PageRequest(number=3, size=4))
    assert (last.first, last.last, len(last.items)) == (9, 11, 3)
    keys = [
        row.key for n in (1, 2, 3) for row in browser.ledger_page(LedgerFilter(), PageRequest(n, 4)).items
    ]
    assert sorted(keys) == sorted({*keys}) and len(keys) == 11  # pages neither overlap nor skip

    errors = browser.ledger_page(LedgerFilter(status="error"), PageRequest())
    assert [(row.key, row.last_error) for row in errors.items] == [
        ("1043", "routingInfo: Unmapped Ship Method: ups.2DA")
    ]
    found = browser.ledger_page(LedgerFilter(text="ship METHOD"), PageRequest())  # the message, any case
    assert [row.key for row in found.items] == ["1043"] and found.total is None and not found.more
    assert [r.key for r in browser.ledger_page(LedgerFilter(text="UPS.2da"), PageRequest()).items] == ["1043"]
    assert [r.key for r in browser.ledger_page(LedgerFilter(text="wms-1005"), PageRequest()).items] == [
        "1005"
    ]
    assert browser.ledger_page(LedgerFilter(text="%"), PageRequest()).items == []  # a literal %
    searched = [browser.ledger_page(LedgerFilter(text="10"), PageRequest(n, 4)) for n in (1, 2, 3)]
    assert [(len(p.items), p.more) for p in searched] == [(4, True), (4, True), (3, False)]
    assert browser.ledger_page(LedgerFilter(held=True), PageRequest()).total == 0

    store = browser.store
    with store.transaction() as tx:
        tx.db.execute("UPDATE ledger SET updated_at = '2024-05-01T23:59:59+00:00' WHERE key = '1001'")
        tx.db.execute("UPDATE ledger SET updated_at = '2024-05-02T00:00:00+00:00' WHERE key = '1002'")
        tx.change(RowChange("order", "1003", "order_download", "held", "held by a person", held=True))
        tx.db.execute("UPDATE ledger SET in_flight = 1 WHERE key = '1004'")  # sent, no reply came back
    day = LedgerFilter(changed_from=date(2024, 5, 1), changed_to=date(2024, 5, 1))
    assert [row.key for row in browser.ledger_page(day, PageRequest()).items] == ["1001"]  # the whole day
    assert [row.key for row in browser.ledger_page(LedgerFilter(held=True), PageRequest()).items] == ["1003"]
    assert [row.key for row in browser.ledger_page(LedgerFilter(unknown=True), PageRequest()).items] == [
        "1004"
    ]
    counts = browser.status_counts("order")
    assert counts == {
        "at_wms": 6,
        "shipped": 1,
        "confirmed": 1,
        "new": 1,
        "canceled": 1,
        "error": 1,
        "held": 1,
        "unknown": 1,
    }


def test_page_requests_are_clamped():
    assert PageRequest(number=0, size=10_000) == PageRequest(number=1, size=200)
    assert PageRequest(number=3, size=20).offset == 40


def test_text_search_ignores_ascii_case_alike_on_both_stores(any_ledger, browse):
    """LIKE on SQLite, ILIKE on PostgreSQL: both fold A-Z only (text compares byte by byte on both)."""
    browser = browse(any_ledger)
    with browser.store.transaction() as tx:
        tx.change(RowChange("order", "2001", "order_download", "rejected", status="error",
                            last_error="Adresse ungültig: STRASSE fehlt"))  # fmt: skip
    assert [r.key for r in browser.ledger_page(LedgerFilter(text="strasse"), PageRequest()).items] == ["2001"]
    assert [r.key for r in browser.ledger_page(LedgerFilter(text="UNGÜLTIG"), PageRequest()).items] == []
    found = browser.ledger_page(LedgerFilter(text="ungültig"), PageRequest())
    assert [row.key for row in found.items] == ["2001"]
    assert browser.ledger_page(LedgerFilter(text="_"), PageRequest()).items == []  # a literal _


def test_detail_has_the_record_the_payload_every_event_and_the_delivery(any_ledger, browse):
    detail = browse(any_ledger).ledger_detail("order", "1001")
    assert detail.row.dest_id == "WMS-1001" and detail.row.payload == {"referenceNum": "OC-1001"}
    assert detail.row.record["email"] == "ada1001@example.com"
    assert [(e.event, e.status, e.message) for e in detail.events] == [("ok", "at_wms", "WMS-1001")]
    assert detail.delivered_at is not None
    assert browse(any_ledger).ledger_detail("order", "nope") is None


def test_runs_their_problems_and_the_pipelines_summary(any_ledger, browse):
    browser = browse(any_ledger)
    runs = browser.runs_page(RunFilter(), PageRequest())
    assert [(r.pipeline, r.status, r.counts) for r in runs.items] == [
        ("inventory_sync", "ok", {"sent": 2, "not_found": 1}),
        ("order_download", "failed", {"sent": 10, "rejected": 1}),
    ]
    assert all(r.duration_seconds is not None and r.duration_seconds >= 0 for r in runs.items)
    assert browser.runs_page(RunFilter(pipeline="order_download"), PageRequest()).total == 1
    order_run = runs.items[1].id
    problems = browser.run_problems(order_run, PageRequest())
    assert [(p.key, p.event, p.message) for p in problems.items] == [
        ("1043", "rejected", "routingInfo: Unmapped Ship Method: ups.2DA")
    ]
    assert [p.key for p in browser.run_problems(runs.items[0].id, PageRequest()).items] == ["LAMP-9"]

    assert browser.pipelines() == ["inventory_sync", "order_download"]
    summary = browser.pipeline_summary("order_download")
    assert summary.last_run.id == order_run and summary.last_ok is None and summary.health is None
    assert summary.held_by_entity == {"order": 1} and summary.last_success_at is None
    assert summary.waiting_since is not None  # order 1010 is new, 1043 in error
    with browser.store.transaction() as tx:  # on hold: counted once, whether in error or not
        for key in ("1043", "1001"):
            tx.change(RowChange("order", key, "order_download", "held", "held by a person", held=True))
    assert browser.pipeline_summary("order_download").held == 2
    stock = browser.pipeline_summary("inventory_sync")
    assert stock.held_by_entity == {} and stock.last_success_at == stock.last_ok.ended_at


def test_a_pipelines_held_count_is_exactly_what_its_held_filter_lists(any_ledger, browse):
    browser = browse(any_ledger)
    run_id = browser.store.start_run("shipment_confirmation")
    browser.store.finish_run(run_id, "failed", {"rejected": 1})
    with browser.store.transaction() as tx:
        tx.change(RowChange("order", "1001", "order_download", "held", "held by a person", held=True))
        tx.change(RowChange("order", "1002", "shipment_confirmation", "rejected", "no such order",
                            status="error", last_error="no such order"))  # fmt: skip
        tx.change(RowChange("stock", "LAMP-9", "inventory_sync", "rejected", "quantity refused",
                            status="error", last_error="quantity refused"))  # fmt: skip
    listed = {}
    for summary in browser.pipeline_summaries():
        for entity, count in summary.held_by_entity.items():
            filters = LedgerFilter(entity=entity, pipeline=summary.pipeline, attention=True)
            page = browser.ledger_page(filters, PageRequest())
            assert page.total == count == len(page.items), (summary.pipeline, entity)
            listed[summary.pipeline] = sorted(row.key for row in page.items)
    assert listed == {
        "order_download": ["1001", "1043"],  # on hold, and in error
        "shipment_confirmation": ["1002"],
        "inventory_sync": ["LAMP-9"],
    }
    stock = browser.stock_page(StockFilter(attention=True, pipeline="inventory_sync"), PageRequest())
    assert [item.sku for item in stock.items] == ["LAMP-9"] and stock.total == 1


def test_the_overview_has_serves_health_and_its_scheduled_pipelines(any_ledger, browse):
    browser = browse(any_ledger)
    monitoring = Monitoring(browser.store)
    monitoring.record_run("acme", "order_download", "ok", connected=True, now="2024-05-01T10:00:00+00:00")
    monitoring.record_run("acme", "order_download", "connect_error", connected=False,
                          error="store unreachable", now="2024-05-01T11:00:00+00:00")  # fmt: skip
    monitoring.scheduled("acme", "shipment_confirmation")  # scheduled, never run yet
    monitoring.scheduled("bravo", "elsewhere")  # another client's pipeline
    summaries = {summary.pipeline: summary for summary in browser.pipeline_summaries("acme")}
    assert sorted(summaries) == ["inventory_sync", "order_download", "shipment_confirmation"]
    health = summaries["order_download"].health
    assert (health.consecutive_failures, health.last_error) == (1, "store unreachable")
    assert summaries["order_download"].last_success_at == "2024-05-01T10:00:00+00:00"
    assert summaries["shipment_confirmation"].last_run is None
    assert summaries["inventory_sync"].health is None
    assert "elsewhere" in {summary.pipeline for summary in browser.pipeline_summaries()}


def test_stock_pages_show_the_last_quantity_and_the_not_found_skus(any_ledger, browse):
    browser = browse(any_ledger)
    page = browser.stock_page(StockFilter(), PageRequest())
    assert [(s.sku, s.quantity, s.status) for s in page.items] == [
        ("LAMP-9", 5, "not_found"),
        ("STOVE-100", 0, "done"),
        ("TENT-002", 24, "done"),
    ]
    assert all(s.delivered_at for s in page.items)
    assert [s.sku for s in browser.stock_page(StockFilter(not_found=True), PageRequest()).items] == ["LAMP-9"]
    assert [s.sku for s in browser.stock_page(StockFilter(text="tent"), PageRequest()).items] == ["TENT-002"]


def test_the_alerts_serve_sent_are_read_newest_first_and_filtered(any_ledger, browse):
    browser = browse(any_ledger)
    assert browser.alerts_page(AlertFilter(), PageRequest()).total == 0
    monitoring = Monitoring(browser.store)
    held = Alert("acme", "order_download", "held_records", "held_records:order_download:run-1", "email",
                 "ops@example.com", "1 order held", "1043: Unmapped Ship Method")  # fmt: skip
    failing = Alert("acme", "order_download", "connection_failing", "connection_failing:order_download:x",
                    "webhook", "https://hooks.example.com", "store unreachable", "3 runs failed")  # fmt: skip
    monitoring.sent(monitoring.claim(held, now="2024-05-01T10:00:00+00:00"), now="2024-05-01T10:00:01+00:00")
    monitoring.failed(monitoring.claim(failing, now="2024-05-02T10:00:00+00:00"), "HTTP 500 from the webhook")
    assert monitoring.claim(held) is None  # serve de-duplicates: one row per event and destination
    page = browser.alerts_page(AlertFilter(), PageRequest())
    assert [(row.alert.event, row.status, row.alert.recipient, row.error) for row in page.items] == [
        ("connection_failing", "failed", "https://hooks.example.com", "HTTP 500 from the webhook"),
        ("held_records", "sent", "ops@example.com", None),
    ]
    assert page.items[1].sent_at == "2024-05-01T10:00:01+00:00" and page.items[1].alert.client == "acme"
    assert browser.alerts_page(AlertFilter(event="held_records"), PageRequest()).total == 1
    assert browser.alerts_page(AlertFilter(status="failed"), PageRequest()).total == 1
    assert browser.alerts_page(AlertFilter(pipeline="inventory_sync"), PageRequest()).total == 0


def test_migration_4_upgrades_a_store_made_by_the_previous_version(tmp_path, browse):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    for script in MIGRATIONS[:3]:
        old.executescript(script)
    old.execute("PRAGMA user_version = 3")
    old.execute(
        "INSERT INTO ledger (entity, key, status, pipeline, created_at, updated_at)"
        " VALUES ('order', '7', 'error', 'order_download', '2024-01-01', '2024-01-01')"
    )
    old.commit()
    old.close()
    browser = browse(path)
    assert browser.store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert browser.ledger_page(LedgerFilter(status="error"), PageRequest()).total == 1
    assert browser.pipeline_summary("order_download").held == 1


class Recorder:
    """Stands in for a store's connection and keeps every statement run through it."""

    def __init__(self, db) -> None:
        self.db = db
        self.statements: list[tuple[str, tuple]] = []

    def execute(self, sql: str, parameters=()):
        self.statements.append((sql, tuple(parameters)))
        return self.db.execute(sql, parameters)


def every_page_statement(browser: StateBrowser) -> list[tuple[str, tuple]]:
    """Every statement the console's pages run, with its parameters."""
    recorder = Recorder(browser.store.db)
    browser.store.db = recorder
    try:
        for status in (None, "error"):
            browser.ledger_page(LedgerFilter(status=status), PageRequest(number=2))
        browser.ledger_page(LedgerFilter(held=True), PageRequest())
        browser.ledger_page(LedgerFilter(unknown=True), PageRequest())
        browser.ledger_page(LedgerFilter(pipeline="order_download", attention=True), PageRequest())
        browser.ledger_page(LedgerFilter(text="ups"), PageRequest())
        browser.ledger_detail("order", "1043")
        browser.status_counts("order")
        browser.pipeline_summaries()
        browser.stock_page(StockFilter(not_found=True), PageRequest())
        browser.runs_page(RunFilter(pipeline="order_download"), PageRequest())
        browser.runs_page(RunFilter(status="died"), PageRequest())
        browser.run_problems(1, PageRequest())
        browser.alerts_page(AlertFilter(), PageRequest())
    finally:
        browser.store.db = recorder.db
    return recorder.statements


def test_the_page_queries_walk_indexes_and_never_sort_or_scan_the_ledger_on_sqlite(ledger, browse):
    """Every statement the pages run, as SQLite plans it: this is what keeps 100,000 rows fast."""
    browser = browse(ledger)
    for sql, args in every_page_statement(browser):
        plan = " | ".join(row[-1] for row in browser.store.db.execute("EXPLAIN QUERY PLAN " + sql, args))
        assert "TEMP B-TREE" not in plan, (sql, plan)
        assert "SCAN ledger" not in plan or "COVERING INDEX" in plan, (sql, plan)


def test_the_page_queries_have_an_index_for_each_read_on_postgresql(postgres_url, browse):
    """The same statements as PostgreSQL plans them when told to avoid sorting and reading whole
    tables: a plan that still sorts or reads the whole ledger has no index to serve it. (On a
    small table the planner would rightly prefer a plain scan, so it is told so.)"""
    seed_ledger(postgres_url)
    browser = browse(postgres_url)
    statements = every_page_statement(browser)
    browser.store.db.execute("SET enable_seqscan = off")
    browser.store.db.execute("SET enable_sort = off")
    for sql, args in statements:
        plan = " | ".join(row["QUERY PLAN"] for row in browser.store.db.execute("EXPLAIN " + sql, args))
        assert "Sort" not in plan, (sql, plan)
        assert "Seq Scan on ledger" not in plan, (sql, plan)


def test_a_run_killed_before_it_ended_shows_as_died_and_can_be_filtered(any_ledger, browse):
    browser = browse(any_ledger)
    killed = browser.store.start_run("order_download")  # no lease holds it: its process is gone
    assert browser.run(killed).status == "died"
    assert [run.id for run in browser.runs_page(RunFilter(status="died"), PageRequest()).items] == [killed]
    assert browser.pipeline_summary("order_download").last_run.status == "died"
    assert browser.runs_page(RunFilter(status="running"), PageRequest()).total == 0
    assert browser.store.runs("order_download")[0]["status"] == "died"  # `cartsync runs` agrees


def test_a_ledger_page_looks_up_the_payloads_of_its_own_rows_only_on_postgresql(postgres_url, browse):
    """Rows an OFFSET skips have their payloads left alone: PostgreSQL would otherwise look up the
    payload of every skipped row (600 ms for the last page of 100,000 rows)."""
    seed_ledger(postgres_url)
    browser = browse(postgres_url)
    recorder = Recorder(browser.store.db)
    browser.store.db = recorder
    try:
        page = browser.ledger_page(LedgerFilter(entity="order"), PageRequest(number=4, size=2))
    finally:
        browser.store.db = recorder.db
    assert len(page.items) == 2 and page.more
    [(sql, args)] = [(sql, args) for sql, args in recorder.statements if "payloads" in sql]
    [explained] = browser.store.db.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, args).fetchall()
    [plan] = explained["QUERY PLAN"]

    def nodes(node: dict) -> Iterator[dict]:
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    lookups = [node["Actual Loops"] for node in nodes(plan["Plan"]) if node.get("Subplan Name")]
    assert lookups == [3], "the page's 2 rows and the one that says a next page exists"
