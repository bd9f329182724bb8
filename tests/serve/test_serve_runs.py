"""serve runs the schedule: fresh orders by cheap polling, no overlap, isolated clients, reloads."""

from __future__ import annotations

import itertools
import logging
import socket
import time

import pytest
import requests
from serve_helpers import ORDERS_BATCH, Systems, metric, wait_for

from cartsync.engine.state import StateStore
from cartsync.engine.state.monitoring import Monitoring

EVERY_SECOND = """version: 1
pipelines:
  - {file: order_download.yaml, every: 1 second}
"""
ORDERS_CALL = "extension/module/cartsync/orders"


def test_an_idle_poll_is_one_small_request_and_a_new_order_arrives_at_the_next(systems: Systems) -> None:
    client = systems.client(EVERY_SECOND)
    serve = systems.serve(client)
    wait_for(lambda: metric(serve.url, "cartsync_idle_checks_total", result="idle"), what="an idle poll")
    runs_before = len(systems.runs(client, "order_download"))
    idle_before = metric(serve.url, "cartsync_idle_checks_total", result="idle")
    mark = len(systems.store.requests)
    time.sleep(3.2)
    idle_requests = systems.store.requests[mark:]
    idle_polls = metric(serve.url, "cartsync_idle_checks_total", result="idle") - idle_before

    assert idle_polls >= 2
    assert idle_requests == [ORDERS_CALL] * int(idle_polls)  # one orders call per idle poll
    assert len(systems.runs(client, "order_download")) == runs_before  # idle polls are not runs

    placed = time.monotonic()
    order_id = systems.store.add_order("Processing")
    wait_for(lambda: systems.at_wms(order_id), what="the order at the WMS")
    assert time.monotonic() - placed < 5  # the next poll (1 s) found it and ran
    assert metric(serve.url, "cartsync_idle_checks_total", result="changed") >= 1


def test_runs_of_one_pipeline_never_overlap_even_from_two_serve_processes(
    systems: Systems, caplog: pytest.LogCaptureFixture
) -> None:
    """Two serve instances share one client's state store, as two hosts would; the pipeline's
    lease keeps their runs apart, and no order reaches the WMS twice."""
    caplog.set_level(logging.INFO, logger="cartsync.serve")
    systems.wms.inject_fault("POST /orders", "slow", times=1000, delay=0.3)
    schedule = EVERY_SECOND.replace("every: 1 second}", "every: 1 second, skip_when_idle: false}")
    client = systems.client(schedule)
    first, second = systems.serve(client), systems.serve(client)
    placed = []
    for _ in range(12):
        placed.append(systems.store.add_order("Processing"))
        time.sleep(0.3)
    wait_for(lambda: all(systems.at_wms(order_id) for order_id in placed), timeout=20, what="all orders")
    first.stop(grace=10)
    second.stop(grace=10)

    finished = [r for r in caplog.records if getattr(r, "event", None) == "run_finished"]
    spans = sorted(  # each inside its run's lease: from once it held it to the end of its work
        (r.fields["started"], r.fields["ended"]) for r in finished if r.fields["status"] in ("ok", "failed")
    )
    assert len(spans) >= 4
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start >= end, "two runs of order_download overlapped"
    assert any(r.fields["status"] == "lease_held" for r in finished)  # they did contend
    references = [order["referenceNum"] for order in systems.wms.orders]
    assert len(references) == len(set(references))


def test_one_clients_failure_never_stops_another(systems: Systems, monkeypatch: pytest.MonkeyPatch) -> None:
    """bravo's store accepts connections and never answers; acme's orders still flow meanwhile."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    monkeypatch.setenv("BRAVO_STORE_URL", f"http://127.0.0.1:{silent.getsockname()[1]}")
    for name in ("OC_KEY", "WMS_ID", "WMS_SECRET"):
        monkeypatch.setenv(f"BRAVO_{name}", "bravo-" + name.lower())
    monkeypatch.setenv("BRAVO_WMS_URL", systems.wms.url)
    acme = systems.client(EVERY_SECOND, "acme")
    bravo = systems.client(EVERY_SECOND, "bravo", env_prefix="BRAVO")
    serve = systems.serve(acme, bravo)
    try:
        wait_for(lambda: metric(serve.url, "cartsync_run_in_progress", client="bravo"), what="bravo hanging")
        for _ in range(3):
            order_id = systems.store.add_order("Processing")
            wait_for(lambda o=order_id: systems.at_wms(o), timeout=8, what="acme order while bravo hangs")
        wait_for(
            lambda: metric(serve.url, "cartsync_runs_total", client="acme", status="ok") >= 3,
            what="acme's runs recorded",
        )
        assert metric(serve.url, "cartsync_run_in_progress", client="bravo") == 1  # still stuck
        assert requests.get(serve.url + "/readyz", timeout=5).status_code == 200
        assert requests.get(serve.url + "/healthz", timeout=5).status_code == 200
    finally:
        assert serve.stop(grace=0.5) is False  # bravo's run is still waiting for its store
        silent.close()


def test_changed_files_apply_once_valid_and_broken_ones_leave_the_old_running(systems: Systems) -> None:
    client = systems.client(EVERY_SECOND)
    serve = systems.serve(client)
    # the first run ended: an order placed from now on is read by a run under the changed files
    wait_for(lambda: metric(serve.url, "cartsync_runs_total", status="ok"), what="the first run")
    overlay = client / "order_download.yaml"
    valid = overlay.read_text().replace("settings:\n", "settings:\n  reference_prefix: AC-\n")
    overlay.write_text(valid)
    wait_for(
        lambda: metric(serve.url, "cartsync_config_reloads_total", result="applied") == 1, what="reload"
    )
    first = systems.store.add_order("Processing")
    wait_for(
        lambda: any(o["referenceNum"] == f"AC-{first}" for o in systems.wms.orders), what="AC- order"
    )

    overlay.write_text(valid.replace("statuses:", "statuss:"))  # a typo: the file no longer validates
    wait_for(
        lambda: metric(serve.url, "cartsync_config_reloads_total", result="rejected") == 1,
        what="rejection",
    )
    second = systems.store.add_order("Processing")
    wait_for(
        lambda: any(o["referenceNum"] == f"AC-{second}" for o in systems.wms.orders),
        what="the order sent by the previous, valid files",
    )

    (client / "schedule.yaml").write_text(EVERY_SECOND.replace("1 second", "2 seconds"))
    overlay.write_text(valid)  # fixed: both changes apply together
    wait_for(
        lambda: metric(serve.url, "cartsync_config_reloads_total", result="applied") == 2, what="reload"
    )
    [job] = serve.scheduler.clients["acme"].jobs
    assert job.schedule.trigger.interval.total_seconds() == 2


def test_quiet_hours_hold_runs_back_while_other_pipelines_run(systems: Systems) -> None:
    hour = time.gmtime().tm_hour
    window = f'{{from: "{hour:02d}:00", to: "{(hour + 2) % 24:02d}:00"}}'
    client = systems.client(
        "version: 1\npipelines:\n"
        "  - {file: order_download.yaml, every: 1 second}\n"
        f"  - {{file: shipment_confirmation.yaml, every: 1 second, quiet_hours: [{window}]}}\n"
    )
    systems.serve(client)
    wait_for(lambda: len(systems.runs(client, "order_download")) >= 1, what="order download")
    time.sleep(1.5)
    assert systems.runs(client, "shipment_confirmation") == []


def test_a_run_past_its_timeout_stops_before_its_next_batch_keeping_what_it_sent(systems: Systems) -> None:
    systems.add_orders(3 * ORDERS_BATCH)
    systems.wms.inject_fault("POST /orders", "slow", times=1000, delay=0.4)
    client = systems.client(
        EVERY_SECOND.replace("every: 1 second}", "every: 1 minute, timeout: 1 second}")
    )
    serve = systems.serve(client)
    wait_for(
        lambda: metric(serve.url, "cartsync_runs_total", status="timeout") == 1,
        timeout=15,
        what="timeout",
    )
    [run] = systems.runs(client, "order_download")
    assert run["status"] == "aborted"
    sent = len(systems.wms.orders)
    assert 1 <= sent < 3 * ORDERS_BATCH  # it stopped before the end, after whole batches
    store = StateStore.open(client / ".cartsync" / "state.db")
    try:
        rows = store.rows("order")
        assert not [row.key for row in rows if row.in_flight]
        at_wms = {row.key for row in rows if row.status == "at_wms"}
    finally:
        store.close()
    assert {o["referenceNum"].removeprefix("OC-") for o in systems.wms.orders} == at_wms


def test_a_schedule_may_keep_its_state_in_postgresql(systems: Systems, postgres_url: str) -> None:
    client = systems.client(EVERY_SECOND + f"state: {postgres_url}\n")
    serve = systems.serve(client)
    order_id = systems.store.add_order("Processing")
    wait_for(lambda: systems.at_wms(order_id), what="the order at the WMS")
    wait_for(lambda: metric(serve.url, "cartsync_runs_total", status="ok"), what="a clean run recorded")
    assert not (client / ".cartsync").exists()  # no SQLite file beside the schedule
    store = StateStore.open(postgres_url)
    try:
        assert store.row("order", str(order_id)).status == "at_wms"
        assert Monitoring(store).health("acme", "order_download").last_status == "ok"
    finally:
        store.close()
