"""The scale run: services, clients, workers and beat started; shoppers let loose; beat stopped
after the set time; the evidence gathered once the last runs ended."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from redis import Redis
from throwaway.fleet import Client, fleet_clients, wait_until, worker_env, workers
from throwaway.postgres import postgres_server
from throwaway.redis import throwaway_redis

from cartsync.engine.schedule import load_schedule
from scale.evidence import (
    PipelineTally,
    RecordTally,
    beat_started,
    pipeline_tallies,
    read_logs,
    record_tallies,
)
from scale.traffic import QUEUE, Shoppers

SCHEDULE = """\
version: 1
pipelines:
  - {{file: order_download.yaml, every: 30 seconds, skip_when_idle: false}}
  - {{file: shipment_confirmation.yaml, every: 1 minute}}
  - file: inventory_sync.yaml
    cron: "* * * * *"
{quiet}"""
QUIET_CLIENTS = 5  # the last clients' inventory sync is in quiet hours for the whole run
GRACE = 5  # seconds beat runs past the set time, so the runs due at its last moment are sent
LAST_ORDERS = 45  # seconds before the end: no order after it (order download runs every 30 s)
LAST_SHIPMENTS = 75  # seconds before the end: no shipment after it (confirmation every minute)


@dataclass(frozen=True)
class Settings:
    clients: int = 50
    minutes: float = 3.0
    workers: int = 2
    concurrency: int = 2  # processes per worker
    keep: Path | None = None  # client folders and logs here (default: a new temporary folder)


@dataclass
class Outcome:
    settings: Settings
    pipelines: dict[tuple[str, str], PipelineTally]
    schedules: dict[tuple[str, str], str]  # (client, pipeline) → its schedule, as people read it
    records: dict[str, RecordTally]
    beat_seconds: float
    deepest_queue: int
    wall_seconds: float
    logs: Path


def run_scale(settings: Settings) -> Outcome:
    started = time.perf_counter()
    folder = settings.keep or Path(tempfile.mkdtemp(prefix="cartsync-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    with postgres_server() as postgres, throwaway_redis() as redis:
        database = postgres.create_database()
        broker = redis.url(0)
        schedule = SCHEDULE.format(quiet="")
        with fleet_clients(folder / "clients", settings.clients, schedule=schedule) as clients:
            for client in clients[-QUIET_CLIENTS:]:
                client.schedule.write_text(SCHEDULE.format(quiet=_quiet_now()))
            logs = folder / "logs"
            with workers(worker_env(database, broker, clients), logs, log_format="json") as pool:
                for number in range(1, settings.workers + 1):
                    pool.start(f"worker-{number}", settings.concurrency)
                pool.start_beat(clients)
                ready = wait_until(lambda: '"event": "beat_started"' in read_logs(logs, "beat"), timeout=300)
                assert ready, read_logs(logs, "beat")[-3000:]
                since = beat_started(read_logs(logs, "beat"))
                until = since + settings.minutes * 60 + GRACE
                shoppers = Shoppers(clients, broker, until - LAST_ORDERS, until - LAST_SHIPMENTS)
                shoppers.start()
                time.sleep(max(0.0, until - time.time()))
                pool.stop("beat")
                stopped = time.time()
                traffic = shoppers.stop()
                _wait_for_the_last_runs(broker)
                pool.stop_all()
            pipelines = pipeline_tallies(
                clients, database, read_logs(logs, "beat"), read_logs(logs, "worker"), since, stopped
            )
            return Outcome(
                settings,
                pipelines,
                _schedules(clients),
                record_tallies(clients, traffic),
                stopped - since,
                traffic.deepest_queue,
                time.perf_counter() - started,
                logs,
            )


def _quiet_now() -> str:
    """Quiet hours around now (UTC, the schedule's zone) for inventory sync: no run is due."""
    now = datetime.now(UTC)
    start, end = (now - timedelta(minutes=30)), (now + timedelta(minutes=30))
    return f'    quiet_hours: [{{from: "{start:%H:%M}", to: "{end:%H:%M}"}}]\n'


def _wait_for_the_last_runs(broker: str) -> None:
    """Until the queue is empty and no run is taken but unacknowledged (acks_late)."""
    queue = Redis.from_url(broker)
    try:
        drained = wait_until(lambda: queue.llen(QUEUE) == 0 and queue.hlen("unacked") == 0, timeout=600)
        assert drained, "the workers did not finish the runs beat sent within 10 minutes"
    finally:
        queue.close()


def _schedules(clients: list[Client]) -> dict[tuple[str, str], str]:
    found = {}
    for client in clients:
        for plan in load_schedule(client.folder).pipelines:
            quiet = ", ".join(f"quiet {w.start:%H:%M}–{w.end:%H:%M}" for w in plan.quiet_hours)
            found[(client.name, plan.file.stem)] = str(plan.trigger) + (f", {quiet}" if quiet else "")
    return found
