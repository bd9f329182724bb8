"""Chaos for workers: a worker killed with kill -9 in the middle of a run, and the broker
restarted, lose nothing and send nothing twice. Run by `make chaos-workers` (part of `make chaos`):
each test takes tens of seconds of real time."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from throwaway.fleet import fleet_clients, send_run, sender, wait_until, workers
from throwaway.redis import throwaway_redis

pytestmark = pytest.mark.skipif(
    not os.environ.get("CARTSYNC_CHAOS"), reason="a chaos test: `make chaos-workers` runs it"
)
EXTRA_ORDERS = 20


def at_wms(client) -> Counter:
    return Counter(order["referenceNum"] for order in client.wms.orders)


def test_a_worker_killed_mid_run_and_a_broker_restart_lose_and_duplicate_nothing(
    tmp_path, postgres_database
):
    with throwaway_redis() as redis, fleet_clients(tmp_path / "clients", 1) as [client]:
        for _ in range(EXTRA_ORDERS):
            client.store.add_order("Processing")
        expected = 5 + EXTRA_ORDERS
        client.wms.inject_fault("POST /orders", "slow", times=expected, delay=0.5)
        env = {"CARTSYNC_STATE": postgres_database, "CARTSYNC_BROKER": redis.url(0), **client.env}
        app = sender(redis.url(0))
        with workers(env, tmp_path / "logs") as pool:
            pool.start("doomed", concurrency=1)
            send_run(app, client, "order_download")
            assert wait_until(lambda: sum(at_wms(client).values()) >= 3, timeout=60), pool.log()[-3000:]
            pool.kill("doomed")  # mid-run: some orders sent, one in flight, the rest not yet
            sent_before = sum(at_wms(client).values())
            assert sent_before < expected, "the run ended before the kill; slow the WMS down more"

            pool.start("survivor", concurrency=1)
            send_run(app, client, "order_download")  # the schedule's next run, on another worker
            assert wait_until(lambda: sum(at_wms(client).values()) >= expected, timeout=120), (
                pool.log()[-3000:]
            )

            redis.restart()
            late = [client.store.add_order("Processing") for _ in range(3)]
            app = sender(redis.url(0))
            assert wait_until(
                lambda: (send_run(app, client, "order_download") or True)
                and sum(at_wms(client).values()) >= expected + len(late),
                timeout=90,
                every=5,
            ), pool.log()[-3000:]

        counts = at_wms(client)
        assert sum(counts.values()) == expected + len(late)
        assert max(counts.values()) == 1, f"sent twice: {[ref for ref, n in counts.items() if n > 1]}"
        survivor = (tmp_path / "logs" / "survivor.log").read_text()
        assert "c01/order_download: run" in survivor, "the survivor took the dead worker's pipeline over"
