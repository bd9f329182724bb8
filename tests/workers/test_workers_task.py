"""The run task as a worker runs it (called in this process; the Celery delivery is in
test_workers_runs): the client's schedule says where its state is, which timeout and idle rules
apply; the facade runs it under the pipeline's lease, as serve does. A held lease means the task
does nothing and says so; a lost lease or a passed timeout stops the run before its next batch, and
the next run sends the rest, each order once."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from cartsync.connectors.wms3pl.connector import Wms3plConnector
from cartsync.engine.state import StateStore
from cartsync.engine.state.monitoring import Monitoring
from cartsync.engine.workers.tasks import LOGGER, run_pipeline

SEEDED = 5  # orders in Processing in the sandbox store's seed
ORDERS_BATCH = Wms3plConnector.streams["orders"].batch_size  # orders written to the WMS at a time


@pytest.fixture
def client(tmp_path: Path, example_client, example_sandboxes, postgres_url: str):
    """The example client against both sandboxes, its state in a schema of its own, the WMS's
    duplicate check off (the engine alone keeps orders single)."""
    with example_sandboxes("4.1", "task") as (store, wms):
        folder = example_client(tmp_path / "acme")
        wms.set_duplicate_check(False)
        yield Client(folder, postgres_url, store, wms)


class Client:
    def __init__(self, folder: Path, state: str, store, wms) -> None:  # type: ignore[no-untyped-def]
        self.folder, self.state, self.store, self.wms = folder, state, store, wms

    def schedule(self, text: str) -> None:
        """A schedule.yaml keeping state in this test's schema."""
        (self.folder / "schedule.yaml").write_text(f"version: 1\nstate: '{self.state}'\n" + text)

    def run(self) -> dict:
        return run_pipeline(str(self.folder / "schedule.yaml"), str(self.folder / "order_download.yaml"))

    def references(self) -> list[str]:
        return [order["referenceNum"] for order in self.wms.orders]

    def add_orders(self, count: int) -> int:
        """`count` more orders in Processing, so that a run stopped once its first batch is at the
        WMS has more to send; the number of orders to send in all."""
        for _ in range(count):
            self.store.add_order("Processing")
        return SEEDED + count

    def assert_each_order_once(self, count: int) -> None:
        references = self.references()
        assert len(references) == len(set(references)) == count, references

    def ledger(self) -> StateStore:
        return StateStore.open(self.state)


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    logger = logging.getLogger(LOGGER)
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger=LOGGER)
    yield caplog
    logger.removeHandler(caplog.handler)


def test_a_task_that_finds_the_lease_held_does_nothing_and_says_so(client, logged):
    client.schedule("pipelines: [{file: order_download.yaml, every: 1 minute}]\n")
    other = client.ledger()
    try:
        lease = other.acquire_lease("order_download", holder="worker-2:4242")
        result = client.run()
        assert result["status"] == "lease_held" and result["run_id"] is None
        assert client.references() == []
        assert other.runs("order_download") == []
        assert Monitoring(other).health("acme", "order_download").last_status == "lease_held"
        assert "acme/order_download: run lease_held: Another run of pipeline 'order_download' is in " \
            "progress (worker-2:4242" in logged.text
        other.release_lease(lease)
    finally:
        other.close()
    assert client.run()["status"] == "ok"
    client.assert_each_order_once(SEEDED)


def test_a_run_whose_lease_is_taken_away_stops_before_its_next_batch_and_the_next_run_sends_the_rest(client):
    client.schedule("pipelines: [{file: order_download.yaml, every: 1 minute}]\n")
    orders = client.add_orders(3 * ORDERS_BATCH)
    client.wms.inject_fault("POST /orders", "slow", times=1000, delay=0.4)
    results: list[dict] = []
    worker = threading.Thread(target=lambda: results.append(client.run()))
    worker.start()
    store = client.ledger()
    try:
        while not client.references() and worker.is_alive():
            worker.join(0.02)
        assert store.unlock("order_download") is not None  # `cartsync state unlock`, or a takeover
        worker.join(30)
        [result] = results
        assert result["status"] == "lease_lost"
        sent = client.references()
        assert 0 < len(sent) < orders
        assert store.rows("order", in_flight=True) == []  # the batch under way was recorded
    finally:
        store.close()
    client.wms.clear_faults()
    assert client.run()["counts"]["sent"] == orders - len(sent)
    client.assert_each_order_once(orders)


def test_a_run_past_its_schedules_timeout_stops_before_its_next_batch_and_loses_nothing(client):
    client.schedule("pipelines: [{file: order_download.yaml, every: 1 minute, timeout: 1 second}]\n")
    orders = client.add_orders(3 * ORDERS_BATCH)
    client.wms.inject_fault("POST /orders", "slow", times=1000, delay=0.6)
    first = client.run()
    assert first["status"] == "timeout"
    assert 0 < first["counts"]["sent"] < orders
    client.wms.clear_faults()
    assert client.run()["counts"]["sent"] == orders - first["counts"]["sent"]
    client.assert_each_order_once(orders)


def test_an_idle_source_skips_the_run_until_it_has_news_or_run_at_least_every_passed(client):
    client.schedule(
        "pipelines: [{file: order_download.yaml, every: 15 seconds, run_at_least_every: 10 minutes}]\n"
    )
    assert client.run()["status"] == "ok"
    assert client.run()["status"] == "idle"  # one small request to the store, no run
    order = client.store.add_order("Processing")
    assert client.run()["counts"]["sent"] == 1
    assert f"OC-{order}" in client.references()
    store = client.ledger()
    try:
        assert len(store.runs("order_download")) == 2
    finally:
        store.close()
    client.schedule("pipelines: [{file: order_download.yaml, every: 15 seconds, skip_when_idle: false}]\n")
    assert client.run()["status"] == "ok"


def test_a_pipeline_the_schedule_no_longer_names_is_not_run(client):
    client.schedule("pipelines: [{file: inventory_sync.yaml, every: 1 hour}]\n")
    result = client.run()
    assert result["status"] == "config_error"
    assert client.references() == []
