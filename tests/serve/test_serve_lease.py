"""serve runs under the pipeline's lease: a run whose lease is taken away stops before its next
batch, and a serve process killed mid-send blocks the pipeline only until its lease expires; the
next run, from another process, settles the sends it left in flight without sending them twice."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from serve_helpers import ORDERS_BATCH, Systems, metric, wait_for

from cartsync.engine.run_file import run_pipeline_file
from cartsync.engine.state import StateStore

CARTSYNC = Path(sys.executable).with_name("cartsync")
SEEDED = 5  # orders in Processing in the sandbox store's seed
ONCE_A_MINUTE = """version: 1
pipelines:
  - {file: order_download.yaml, every: 1 minute}
"""


def ledger(client: Path) -> StateStore:
    return StateStore.open(client / ".cartsync" / "state.db")


def test_a_run_whose_lease_is_removed_stops_before_its_next_batch_and_loses_nothing(
    systems: Systems, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cartsync.serve")
    systems.add_orders(3 * ORDERS_BATCH)
    orders = SEEDED + 3 * ORDERS_BATCH
    systems.wms.set_duplicate_check(False)  # the engine alone keeps orders single
    systems.wms.inject_fault("POST /orders", "slow", times=1000, delay=0.4)
    client = systems.client(ONCE_A_MINUTE)
    serve = systems.serve(client)
    wait_for(lambda: systems.wms.orders, what="the run under way")
    store = ledger(client)
    try:
        assert store.unlock("order_download") is not None  # a person's `cartsync state unlock`
    finally:
        store.close()
    [finished] = wait_for(  # the run's last word: its metrics and health are recorded before it
        lambda: [r for r in caplog.records if getattr(r, "event", None) == "run_finished"],
        what="the run to stop",
    )
    assert metric(serve.url, "cartsync_runs_total", status="lease_lost")
    assert "lost its lease" in finished.getMessage()
    sent_before = {order["referenceNum"] for order in systems.wms.orders}
    assert 0 < len(sent_before) < orders
    store = ledger(client)
    try:
        rows = store.rows("order")
        assert [row.key for row in rows if row.in_flight] == []  # the batch under way was recorded
        assert {f"OC-{row.key}" for row in rows if row.status == "at_wms"} == sent_before
    finally:
        store.close()

    systems.wms.clear_faults()
    connections = client / "connections.yaml"
    report = run_pipeline_file(client / "order_download.yaml", connections, client / ".cartsync" / "state.db")
    references = [order["referenceNum"] for order in systems.wms.orders]
    assert sorted(references) == sorted(set(references)) and len(references) == orders
    assert report.counts["sent"] == orders - len(sent_before)


def test_a_serve_killed_mid_send_blocks_only_until_its_lease_expires_and_nothing_is_sent_twice(
    systems: Systems, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cartsync.serve")
    systems.wms.set_duplicate_check(False)
    systems.wms.inject_fault("POST /orders", "slow", delay=1.5)  # the first order: stored 1.5 s after it came
    client = systems.client(ONCE_A_MINUTE.replace("every: 1 minute", "every: 1 second"))
    process = subprocess.Popen(
        [str(CARTSYNC), "serve", str(client), "--port", "0", "--lease", "3"],
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    try:
        wait_for(lambda: systems.wms.requests_to("POST", "/orders"), timeout=20, what="an order on its way")
        process.send_signal(signal.SIGKILL)  # kill -9 while the WMS holds the request: no reply, no release
        in_flight = in_flight_keys(client)
        process.wait(timeout=10)
    finally:
        process.kill()
    assert in_flight, "the batch under way"

    # Another process on the same state store, as another host would be. The dead run's lease was
    # renewed at most a second before the kill, so it expires at least 2 s after it: the WMS has
    # stored the order by then, and the lookup finds it.
    serve = systems.serve(client)
    wait_for(lambda: metric(serve.url, "cartsync_runs_total", status="ok"), timeout=20, what="a clean run")
    statuses = [r.fields["status"] for r in caplog.records if getattr(r, "event", None) == "run_finished"]
    assert statuses[0] == "lease_held"  # the dead run's lease was still alive: no overlap
    references = [order["referenceNum"] for order in systems.wms.orders]
    assert len(references) == SEEDED and len(set(references)) == SEEDED  # each order once
    store = ledger(client)
    try:
        rows = [store.row("order", key) for key in in_flight]
        assert [(row.status, row.in_flight) for row in rows] == [("at_wms", False)] * len(rows)
        # The order the WMS held was looked up, not resent; an order of the batch whose POST had not
        # left yet was looked up, found nowhere, and sent once.
        assert min(row.attempts for row in rows) == 1 and max(row.attempts for row in rows) <= 2
        # One POST an order: what reached the WMS was looked up, never posted again. (An attempt
        # whose POST had not left when the process died counts without a POST.)
        assert len(systems.wms.requests_to("POST", "/orders")) == SEEDED
        assert [run["status"] for run in store.runs("order_download")][-1] == "died"
    finally:
        store.close()


def in_flight_keys(client: Path) -> list[str]:
    if not (client / ".cartsync" / "state.db").exists():
        return []
    store = ledger(client)
    try:
        return [row.key for row in store.rows("order", in_flight=True)]
    finally:
        store.close()
