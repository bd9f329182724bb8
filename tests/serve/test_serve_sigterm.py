"""SIGTERM stops a real `cartsync serve` process cleanly: the running run ends before its next batch,
nothing is lost, and the next run sends the rest exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from serve_helpers import ORDERS_BATCH, Systems, wait_for

from cartsync.engine.run_file import RunOptions, run_pipeline_file
from cartsync.engine.state import StateStore

CARTSYNC = Path(sys.executable).with_name("cartsync")
SEEDED = 5  # orders in Processing in the sandbox store's seed
SCHEDULE = """version: 1
pipelines:
  - {file: order_download.yaml, every: 1 hour, timeout: 20 seconds}
"""


def test_sigterm_mid_run_stops_before_the_next_batch_and_loses_nothing(systems: Systems) -> None:
    client = systems.client(SCHEDULE)
    connections = client / "connections.yaml"
    systems.add_orders(3 * ORDERS_BATCH)
    orders = SEEDED + 3 * ORDERS_BATCH
    systems.wms.inject_fault("POST /orders", "slow", times=1000, delay=0.4)
    process = subprocess.Popen(
        [str(CARTSYNC), "serve", str(client), "--port", "0", "--log-format", "json"],
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        wait_for(lambda: systems.wms.orders, timeout=15, what="the run under way")
        asked = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
        stopped_in = time.monotonic() - asked
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert stopped_in < 20  # within the run timeout

    events = [json.loads(line) for line in stderr.splitlines()]  # every line is one JSON object
    [finished] = [e for e in events if e.get("event") == "run_finished"]
    assert finished["status"] == "aborted" and "shutting down" in finished["message"]
    for secret in ("serve-store-key", "serve-wms-secret"):
        assert secret not in stderr

    sent_before = {order["referenceNum"] for order in systems.wms.orders}
    assert 0 < len(sent_before) < orders
    store = StateStore.open(client / ".cartsync" / "state.db")
    try:
        rows = store.rows("order")
        assert [row.key for row in rows if row.in_flight] == []  # it stopped between batches
        assert {f"OC-{row.key}" for row in rows if row.status == "at_wms"} == sent_before
    finally:
        store.close()

    systems.wms.faults.clear()
    report = run_pipeline_file(
        client / "order_download.yaml", connections, client / ".cartsync" / "state.db", RunOptions()
    )
    references = [order["referenceNum"] for order in systems.wms.orders]
    assert len(references) == orders and len(set(references)) == orders  # the rest, each once
    assert report.counts["sent"] == orders - len(sent_before)
