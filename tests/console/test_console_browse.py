"""The state layer's paged reads (engine/state/browse.py) on a real SQLite state store."""

from __future__ import annotations

import sqlite3
from datetime import date

from cartsync.engine.state import RowChange, StateStore
from cartsync.engine.state.alerts import record_alert
from cartsync.engine.state.browse import (
    AlertFilter,
    LedgerFilter,
    PageRequest,
    RunFilter,
    StateBrowser,
    StockFilter,
)
from cartsync.engine.state.migrations import MIGRATIONS


def browse(path):
    return StateBrowser(StateStore.open(path))


def test_ledger_pages_filter_by_status_hold_text_and_date(ledger):
    browser = browse(ledger)
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


def test_detail_has_the_record_the_payload_every_event_and_the_delivery(ledger):
    detail = browse(ledger).ledger_detail("order", "1001")
    assert detail.row.dest_id == "WMS-1001" and detail.row.payload == {"referenceNum": "OC-1001"}
    assert detail.row.record["email"] == "ada1001@example.com"
    assert [(e.event, e.status, e.message) for e in detail.events] == [
        ("sending", "new", None),
        ("ok", "at_wms", "WMS-1001"),
    ]
    assert detail.delivered_at is not None
    assert browse(ledger).ledger_detail("order", "nope") is None


def test_runs_their_problems_and_the_pipelines_summary(ledger):
    browser = browse(ledger)
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
    assert summary.last_run.id == order_run and summary.last_ok is None
    assert summary.held == 1
    with browser.store.transaction() as tx:  # on hold: counted once, whether in error or not
        for key in ("1043", "1001"):
            tx.change(RowChange("order", key, "order_download", "held", "held by a person", held=True))
    assert browser.pipeline_summary("order_download").held == 2
    assert summary.waiting_since is not None  # order 1010 is new, 1043 in error


def test_stock_pages_show_the_last_quantity_and_the_not_found_skus(ledger):
    browser = browse(ledger)
    page = browser.stock_page(StockFilter(), PageRequest())
    assert [(s.sku, s.quantity, s.status) for s in page.items] == [
        ("LAMP-9", 5, "not_found"),
        ("STOVE-100", 0, "done"),
        ("TENT-002", 24, "done"),
    ]
    assert all(s.delivered_at for s in page.items)
    assert [s.sku for s in browser.stock_page(StockFilter(not_found=True), PageRequest()).items] == ["LAMP-9"]
    assert [s.sku for s in browser.stock_page(StockFilter(text="tent"), PageRequest()).items] == ["TENT-002"]


def test_alerts_written_for_serve_are_read_newest_first(ledger):
    store = StateStore.open(ledger)
    assert browse(ledger).alerts_page(AlertFilter(), PageRequest()).total == 0
    record_alert(
        store,
        kind="held",
        channel="email",
        recipients=["ops@example.com"],
        subject="1 order held",
        body="1043: Unmapped Ship Method",
        pipeline="order_download",
        sent_at="2024-05-01T10:00:00+00:00",
    )
    record_alert(
        store,
        kind="connection_failed",
        channel="webhook",
        recipients=["hooks.example.com"],
        subject="store unreachable",
        error="HTTP 500 from the webhook",
        sent_at="2024-05-02T10:00:00+00:00",
    )
    page = browse(ledger).alerts_page(AlertFilter(), PageRequest())
    assert [(a.kind, a.status, a.recipients) for a in page.items] == [
        ("connection_failed", "failed", ["hooks.example.com"]),
        ("held", "sent", ["ops@example.com"]),
    ]
    assert browse(ledger).alerts_page(AlertFilter(kind="held"), PageRequest()).total == 1


def test_migration_2_upgrades_a_store_made_by_the_previous_version(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0])
    old.execute("PRAGMA user_version = 1")
    old.execute(
        "INSERT INTO ledger (entity, key, status, pipeline, created_at, updated_at)"
        " VALUES ('order', '7', 'error', 'order_download', '2024-01-01', '2024-01-01')"
    )
    old.commit()
    old.close()
    browser = browse(path)
    assert browser.store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert browser.ledger_page(LedgerFilter(status="error"), PageRequest()).total == 1


def test_the_page_queries_walk_indexes_and_never_sort_or_scan_the_ledger(ledger):
    """Every statement the pages run, as SQLite plans it: this is what keeps 100,000 rows fast."""
    browser = browse(ledger)
    statements: list[str] = []
    browser.store.db.set_trace_callback(statements.append)
    for status in (None, "error"):
        browser.ledger_page(LedgerFilter(status=status), PageRequest(number=2))
    browser.ledger_page(LedgerFilter(held=True), PageRequest())
    browser.ledger_page(LedgerFilter(text="ups"), PageRequest())
    browser.status_counts("order")
    browser.pipeline_summaries()
    browser.stock_page(StockFilter(not_found=True), PageRequest())
    browser.runs_page(RunFilter(pipeline="order_download"), PageRequest())
    browser.store.db.set_trace_callback(None)
    for statement in statements:
        plan = " | ".join(row[-1] for row in browser.store.db.execute("EXPLAIN QUERY PLAN " + statement))
        assert "TEMP B-TREE" not in plan, (statement, plan)
        assert "SCAN ledger" not in plan or "COVERING INDEX" in plan, (statement, plan)


def test_a_run_killed_before_it_ended_shows_as_died_and_can_be_filtered(ledger):
    store = StateStore.open(ledger)
    killed = store.start_run("order_download")  # no lease holds it: its process is gone
    browser = StateBrowser(store)
    assert browser.run(killed).status == "died"
    assert [run.id for run in browser.runs_page(RunFilter(status="died"), PageRequest()).items] == [killed]
    assert browser.pipeline_summary("order_download").last_run.status == "died"
    assert browser.runs_page(RunFilter(status="running"), PageRequest()).total == 0
