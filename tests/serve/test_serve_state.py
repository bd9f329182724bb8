"""What serve reads and writes in the state store through typed methods: held and unsent rows per
pipeline, pipeline health, and alerts claimed once per occurrence and destination, on SQLite and
on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cartsync.engine.state import RowChange, StateStore
from cartsync.engine.state.monitoring import Alert, Monitoring

DOWNLOAD, CONFIRM = "order_download", "shipment_confirmation"


@pytest.fixture
def store(state_backend: str) -> Iterator[StateStore]:
    """The state store, once a SQLite file and once a PostgreSQL schema: one SQL for both."""
    opened = StateStore.open(state_backend)
    yield opened
    opened.close()


def change(store: StateStore, key: str, pipeline: str, **values: object) -> None:
    with store.transaction() as tx:
        tx.change(RowChange("order", key, pipeline, "test", **values))


def test_held_rows_are_those_a_pipeline_left_in_error_for_a_person(store: StateStore) -> None:
    change(store, "1", DOWNLOAD, status="error", last_error="unmapped ship method")
    change(store, "2", DOWNLOAD, status="error", transient=True, next_attempt_at="2030-01-01T00:00:00+00:00")
    change(store, "3", DOWNLOAD, status="error", resend=True)  # a person asked to send it again
    change(store, "4", CONFIRM, status="error", last_error="the store refused the status")
    change(store, "5", DOWNLOAD, status="at_wms")
    assert store.held_count(DOWNLOAD, "order") == 1
    assert store.held_count(CONFIRM, "order") == 1
    assert store.held_count(DOWNLOAD, "stock") == 0


def test_the_oldest_unsent_row_is_pending_in_flight_or_waiting_for_a_retry(store: StateStore) -> None:
    change(store, "1", DOWNLOAD, status="at_wms")
    change(store, "2", DOWNLOAD, status="error")  # held: a person's turn, not a delivery under way
    change(store, "3", CONFIRM, status="shipped")  # another pipeline's pending row
    assert store.oldest_unsent(DOWNLOAD, "order", "new") is None

    for key, values in {
        "4": {"status": "new", "in_flight": True},
        "5": {"status": "error", "transient": True},
    }.items():
        change(store, key, DOWNLOAD, **values)
        created = store.row("order", key).created_at
        assert store.oldest_unsent(DOWNLOAD, "order", "new") == created
        change(store, key, DOWNLOAD, status="at_wms", in_flight=False, transient=False)
    assert store.oldest_unsent(DOWNLOAD, "order", "new") is None
    assert store.oldest_unsent(CONFIRM, "order", "shipped") == store.row("order", "3").created_at


def test_an_alert_is_claimed_once_per_occurrence_and_destination(store: StateStore) -> None:
    monitoring = Monitoring(store)
    alert = Alert(
        "acme",
        DOWNLOAD,
        "held_records",
        "held_records:order_download:run-7",
        "email",
        "ops@acme.example",
        "1 record held",
        "- 1042: unmapped ship method",
    )
    first = monitoring.claim(alert)
    assert first is not None and monitoring.claim(alert) is None
    other = monitoring.claim(
        Alert(**{**alert.__dict__, "channel": "webhook", "recipient": "https://hooks.example"})
    )
    assert other is not None and other != first
    monitoring.failed(first, "connection refused")
    [row] = monitoring.failed_alerts("acme", max_attempts=5)
    assert (row.id, row.alert, row.status, row.error) == (first, alert, "failed", "connection refused")
    monitoring.retry(first)
    monitoring.sent(first)
    assert {(row.id, row.status, row.attempts) for row in monitoring.alerts("acme")} == {
        (first, "sent", 2),
        (other, "sending", 1),
    }


def test_health_counts_connection_failures_in_a_row_and_remembers_the_last_success(store: StateStore) -> None:
    monitoring = Monitoring(store)
    monitoring.record_run("acme", DOWNLOAD, "ok", connected=True, now="2026-01-01T10:00:00+00:00")
    for minute in (1, 2):
        before, after = monitoring.record_run(
            "acme",
            DOWNLOAD,
            "connect_error",
            connected=False,
            error="refused",
            now=f"2026-01-01T10:0{minute}:00+00:00",
        )
    assert (before.consecutive_failures, after.consecutive_failures) == (1, 2)
    assert (after.failing_since, after.last_success_at) == (
        "2026-01-01T10:01:00+00:00",
        "2026-01-01T10:00:00+00:00",
    )
    _, recovered = monitoring.record_run(
        "acme", DOWNLOAD, "ok", connected=True, now="2026-01-01T10:03:00+00:00"
    )
    assert (recovered.consecutive_failures, recovered.failing_since) == (0, None)
    assert recovered.last_success_at == "2026-01-01T10:03:00+00:00"
