"""Pipelines as Celery tasks on two real workers, with PostgreSQL state and a Redis broker,
against the sandboxes: every run happens, one pipeline never runs twice at once, nothing is
sent twice."""

from __future__ import annotations

import sys
from collections import Counter
from itertools import pairwise
from pathlib import Path

import psycopg
import pytest

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


def test_two_workers_run_every_pipeline_of_three_clients_once_at_a_time(
    tmp_path, postgres_database, broker
):
    with fleet_clients(tmp_path / "clients", 3) as clients:
        with workers(worker_env(postgres_database, broker, clients), tmp_path / "logs") as pool:
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
                    for run in runs_of(postgres_database, client.name)
                    if run["status"] == "ok"
                }
                return len(ran) == len(clients) * len(PIPELINES)

            assert wait_until(all_ran, timeout=90), pool.log()[-3000:]
            log = pool.log()

        for client in clients:
            runs = runs_of(postgres_database, client.name)
            references = Counter(order["referenceNum"] for order in client.wms.orders)
            assert sum(references.values()) == 5, references  # the seed's five orders to download
            assert max(references.values()) == 1, f"an order reached {client.name}'s WMS twice"
            for pipeline in PIPELINES:
                spans = sorted((r["started_at"], r["ended_at"]) for r in runs if r["pipeline"] == pipeline)
                for (_, ended), (started, _) in pairwise(spans):
                    assert started >= ended, f"{client.name}/{pipeline} ran twice at once: {spans}"
        assert "Traceback" not in log, log[-3000:]
