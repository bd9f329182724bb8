"""What workers and beat read from the environment (secrets, like the rest, only from there).

- CARTSYNC_STATE (required): the PostgreSQL state store. Each client keeps its state in the
  schema named after it, unless its schedule's `state:` is a postgresql:// URL of its own.
- CARTSYNC_BROKER: the Redis broker (default redis://127.0.0.1:6379/0).
- CARTSYNC_MAX_RUN_TIMEOUT: the longest run timeout a schedule may give, in seconds (default
  3600); a message a worker took but never acknowledged returns to the queue 10 minutes later.
- CARTSYNC_LEASE_SECONDS: a run's lease, how long a worker that died blocks its pipeline
  (default 60).
- CARTSYNC_CLIENTS: for `celery -A cartsync.engine.workers.app beat`, the client folders
  separated by `:` (`cartsync beat CLIENTS…` takes them as arguments).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cartsync.engine.errors import ConfigError
from cartsync.engine.schedule.model import ClientSchedule
from cartsync.engine.state.lease import DEFAULT_LEASE_SECONDS
from cartsync.engine.state.location import display, is_postgres
from cartsync.engine.state.pg_connection import client_schema, with_schema

DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
DEFAULT_MAX_RUN_TIMEOUT = 3600
# A message a worker took but never acknowledged (the worker died) goes back to the queue after
# this long beyond the longest run: never while its run may still be going.
VISIBILITY_MARGIN = 600


@dataclass(frozen=True)
class WorkerSettings:
    broker: str
    max_run_timeout: int  # seconds
    lease_seconds: float

    @property
    def visibility_timeout(self) -> int:
        return self.max_run_timeout + VISIBILITY_MARGIN


def beat_clients() -> list[str]:
    """The client folders beat schedules when not given as arguments (CARTSYNC_CLIENTS)."""
    return [folder for folder in os.environ.get("CARTSYNC_CLIENTS", "").split(os.pathsep) if folder]


def worker_settings() -> WorkerSettings:
    timeout = _seconds("CARTSYNC_MAX_RUN_TIMEOUT", DEFAULT_MAX_RUN_TIMEOUT, "3600 (one hour)")
    lease = _seconds("CARTSYNC_LEASE_SECONDS", DEFAULT_LEASE_SECONDS, "60 (one minute)")
    return WorkerSettings(os.environ.get("CARTSYNC_BROKER") or DEFAULT_BROKER, int(timeout), lease)


def _seconds(variable: str, default: float, example: str) -> float:
    text = os.environ.get(variable, str(default))
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise ConfigError(
            f"{variable} is '{text}', not a number of seconds.", hint=f"e.g. {variable}={example}"
        )
    return value


def client_state(schedule: ClientSchedule) -> str:
    """Where a client's runs keep state on workers: its schedule's `state:` when that is a
    postgresql:// URL, else the client's own schema (named after it) in CARTSYNC_STATE."""
    if isinstance(schedule.state, str) and is_postgres(schedule.state):
        return schedule.state
    return with_schema(shared_state(), client_schema(schedule.client))


def shared_state() -> str:
    """CARTSYNC_STATE, which must name a PostgreSQL database."""
    base = os.environ.get("CARTSYNC_STATE", "")
    if not is_postgres(base):
        shown = f"'{display(base)}'" if base else "not set"
        raise ConfigError(
            f"Workers keep state in PostgreSQL, and CARTSYNC_STATE is {shown}.",
            hint="Set CARTSYNC_STATE=postgresql://user@host/database on every worker and on beat "
            "(`cartsync state migrate` copies a SQLite store there).",
        )
    return base
