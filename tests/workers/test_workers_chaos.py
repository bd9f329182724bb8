"""Chaos for workers: a worker killed with kill -9 in the middle of a run, and the broker
restarted, lose nothing and send nothing twice; the dead worker's lease moves to another worker
once it expires. Run by `make chaos-workers` (part of `make chaos`): it takes real time."""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from redis import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from throwaway.fleet import (
    Client,
    fleet_clients,
    send_run,
    sender,
    tracebacks_through_our_code,
    wait_until,
    worker_env,
    workers,
)
from throwaway.redis import throwaway_redis

from cartsync.engine.state import Lease, StateStore
from cartsync.engine.state.pg_connection import client_schema, with_schema

pytestmark = pytest.mark.skipif(
    not os.environ.get("CARTSYNC_CHAOS"), reason="a chaos test: `make chaos-workers` runs it"
)
EXTRA_ORDERS = 200  # with 0.4 s a WMS order and 16 under way, a run of some 5 s to kill in
LEASE_SECONDS = 4.0
SCHEDULE_EVERY = 0.5  # how often the test asks for the next run, as beat would


def at_wms(client: Client) -> Counter:
    return Counter(order["referenceNum"] for order in client.wms.orders)


class ClientState:
    """The client's schema in the shared database, read as an operator would."""

    def __init__(self, database: str, client: Client) -> None:
        self.store = StateStore.open(with_schema(database, client_schema(client.name)))

    def lease(self, pipeline: str) -> Lease | None:
        return self.store.lease(pipeline)

    def runs(self, pipeline: str) -> list[dict]:
        return self.store.runs(pipeline, limit=100)


def test_a_worker_killed_mid_run_hands_its_lease_over_and_a_broker_restart_loses_nothing(
    tmp_path, postgres_database
):
    with throwaway_redis() as redis, fleet_clients(tmp_path / "clients", 1) as [client]:
        for _ in range(EXTRA_ORDERS):
            client.store.add_order("Processing")
        expected = 5 + EXTRA_ORDERS
        client.wms.inject_fault("POST /orders", "slow", times=expected, delay=0.4)
        env = {**worker_env(postgres_database, redis.url(0), [client]),
               "CARTSYNC_LEASE_SECONDS": str(LEASE_SECONDS)}
        app = sender(redis.url(0))
        state = ClientState(postgres_database, client)
        with workers(env, tmp_path / "logs") as pool:
            # 1. kill -9 the worker whose run holds the lease, mid-run
            pool.start("doomed", concurrency=1)
            send_run(app, client, "order_download")
            sending = wait_until(lambda: sum(at_wms(client).values()) >= 3, timeout=60, every=0.05)
            assert sending, pool.log()[-3000:]
            dead = state.lease("order_download")
            assert dead is not None and not dead.expired, "the run holds its lease while it sends"
            pool.kill("doomed")
            killed_at = time.time()
            assert sum(at_wms(client).values()) < expected, "the run ended before the kill"

            # 2. another worker: the schedule's next runs find the lease held until it expires
            pool.start("survivor", concurrency=1)
            taken_at = None
            while time.time() < killed_at + LEASE_SECONDS + 30:
                send_run(app, client, "order_download")
                current = state.lease("order_download")
                if current is not None and current.token != dead.token:
                    taken_at = time.time()
                    break
                time.sleep(SCHEDULE_EVERY)
            assert taken_at is not None, pool.log()[-3000:]
            survivor = state.lease("order_download")
            assert survivor.holder != dead.holder
            print(f"\nchaos-workers: lease of the killed worker ({dead.holder}) expired "
                  f"{dead.expires_at - killed_at:.1f} s after kill -9; taken over by {survivor.holder} "
                  f"{taken_at - killed_at:.1f} s after the kill (lease {LEASE_SECONDS:.0f} s, "
                  f"next run asked every {SCHEDULE_EVERY} s)")
            assert taken_at >= dead.expires_at, "never taken from a lease that had not expired"
            assert taken_at - killed_at <= LEASE_SECONDS + 2 * SCHEDULE_EVERY + 1.5, "within its expiry"
            assert wait_until(lambda: sum(at_wms(client).values()) >= expected, timeout=120), (
                pool.log()[-3000:]
            )
            assert "died" in [run["status"] for run in state.runs("order_download")]

            # 3. the broker restarts while a run goes on and another waits in the queue
            broker = Redis.from_url(redis.url(0))
            assert wait_until(  # the runs asked for while the lease was held are done
                lambda: broker.llen("cartsync") == 0 and state.lease("order_download") is None, timeout=60
            )
            late = [client.store.add_order("Processing") for _ in range(3)]
            client.wms.inject_fault("POST /orders", "slow", times=len(late), delay=1.0)
            send_run(app, client, "order_download")
            assert wait_until(lambda: state.lease("order_download") is not None, timeout=30, every=0.1)
            send_run(app, client, "inventory_sync")  # queued behind it (one task at a time)
            assert wait_until(lambda: broker.llen("cartsync") == 1, timeout=10, every=0.1)
            broker.close()
            redis.restart()
            restarted_at = time.time()
            assert wait_until(lambda: sum(at_wms(client).values()) >= expected + len(late), timeout=90), (
                pool.log()[-3000:]
            )
            assert wait_until(
                lambda: any(run["status"] == "ok" for run in state.runs("inventory_sync")), timeout=90
            ), "the run queued before the restart was lost: " + pool.log()[-3000:]
            print(f"chaos-workers: Redis restarted mid-run; the queued run ran "
                  f"{time.time() - restarted_at:.1f} s later, {len(late)} new orders delivered once")

        counts = at_wms(client)
        assert sum(counts.values()) == expected + len(late)
        assert max(counts.values()) == 1, f"sent twice: {[ref for ref, n in counts.items() if n > 1]}"
        assert tracebacks_through_our_code(pool.log()) == []
        assert "raised unexpected" not in pool.log(), "a run task failed: " + pool.log()[-3000:]
