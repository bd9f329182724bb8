"""Pipelines as Celery tasks on two real workers, with PostgreSQL state and a Redis broker,
against the sandboxes: every run happens, one pipeline never runs twice at once, nothing is
sent twice."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import psycopg
import pytest
from redis import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from throwaway.fleet import PIPELINES, fleet_clients, send_run, sender, wait_until, worker_env, workers

from cartsync.engine.state.pg_connection import client_schema, split_schema


def runs_of(database: str, client: str) -> list[dict]:
    url, _ = split_schema(database)
    with psycopg.connect(url) as connection:
        connection.execute(f'SET search_path TO "{client_schema(client)}"')
        try:
            cursor = connection.execute("SELECT pipeline, status, started_at, ended_at FROM runs ORDER BY id")
        except psycopg.errors.UndefinedTable:
            return []
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]


@pytest.fixture
def broker(redis) -> str:
    return redis.url(1)


@pytest.fixture
def database(postgres) -> Iterator[str]:
    """A database of this test alone: the fleet's clients (c01, …) get their schemas there."""
    url = postgres.create_database()
    yield url
    postgres.drop_database(url)


def test_two_workers_run_every_pipeline_of_three_clients_once_at_a_time(tmp_path, database, broker):
    with fleet_clients(tmp_path / "clients", 3) as clients:
        with workers(worker_env(database, broker, clients), tmp_path / "logs") as pool:
            pool.start("w1")
            pool.start("w2")
            app = sender(broker)
            for client in clients:
                for pipeline in PIPELINES:
                    send_run(app, client, pipeline)
                    send_run(app, client, pipeline)  # the same run asked twice at once

            def all_ran() -> bool:
                ran = {
                    (client.name, run["pipeline"])
                    for client in clients
                    for run in runs_of(database, client.name)
                    if run["status"] == "ok"
                }
                return len(ran) == len(clients) * len(PIPELINES)

            assert wait_until(all_ran, timeout=90), pool.log()[-3000:]
            log = pool.log()

        for client in clients:
            runs = runs_of(database, client.name)
            references = Counter(order["referenceNum"] for order in client.wms.orders)
            assert sum(references.values()) == 5, references  # the seed's five orders to download
            assert max(references.values()) == 1, f"an order reached {client.name}'s WMS twice"
            for pipeline in PIPELINES:
                spans = sorted((r["started_at"], r["ended_at"]) for r in runs if r["pipeline"] == pipeline)
                for (_, ended), (started, _) in pairwise(spans):
                    assert started >= ended, f"{client.name}/{pipeline} ran twice at once: {spans}"
        assert "Traceback" not in log, log[-3000:]


BEAT_SCHEDULE = """\
version: 1
pipelines:
  - {file: order_download.yaml, every: 2 seconds, skip_when_idle: false}
  - {file: shipment_confirmation.yaml, every: 1 hour}
  - {file: inventory_sync.yaml, cron: "0 0 1 1 *"}
"""


def test_beat_sends_the_runs_the_schedule_files_name_to_the_workers(tmp_path, database, broker):
    with fleet_clients(tmp_path / "clients", 2, schedule=BEAT_SCHEDULE) as clients:
        with workers(worker_env(database, broker, clients), tmp_path / "logs") as pool:
            pool.start("w1")
            pool.start_beat(clients)

            def order_runs(client) -> int:
                return sum(r["pipeline"] == "order_download" for r in runs_of(database, client.name))

            all_started = wait_until(lambda: all(order_runs(c) >= 1 for c in clients), timeout=30)
            assert all_started, pool.log()[-3000:]
            started = time.monotonic()
            first = {client.name: order_runs(client) for client in clients}
            time.sleep(6)
            pool.stop("beat")
            beat_for = time.monotonic() - started
            assert wait_until(lambda: Redis.from_url(broker).llen("cartsync") == 0, timeout=30)
            time.sleep(2)  # the last runs taken end
            log = pool.log()

        for client in clients:
            runs = runs_of(database, client.name)
            by_pipeline = Counter(run["pipeline"] for run in runs)
            assert by_pipeline["shipment_confirmation"] == 1, by_pipeline  # at start, then in an hour
            assert by_pipeline["inventory_sync"] == 0, by_pipeline  # on New Year's midnight only
            # every 2 seconds while beat ran (one more may have been under way when it stopped)
            more = by_pipeline["order_download"] - first[client.name]
            assert beat_for / 2 - 1 <= more <= beat_for / 2 + 2, (more, beat_for)
            assert {run["status"] for run in runs} == {"ok"}, runs
        assert "beat schedules 6 pipeline(s) of 2 client(s)" in log
        assert "Traceback" not in log, log[-3000:]
