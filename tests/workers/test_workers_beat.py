"""Beat entries from client schedules: due when the schedule says, stale runs expire, runs stop
at their timeout, and a timeout the broker cannot honour is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cartsync.engine.errors import ConfigError
from cartsync.engine.workers.beat import PipelineTimetable, beat_entries
from cartsync.engine.workers.tasks import RUN_TASK

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Every:
    """The schedule model's surface that beat uses (file, timeout, next_run)."""

    file: Path
    interval: timedelta
    timeout: timedelta = timedelta(minutes=10)

    def next_run(self, after: datetime) -> datetime:
        return after + self.interval


@dataclass(frozen=True)
class Client:
    client: str
    connections: Path
    pipelines: tuple[Every, ...]


def timetable(plan: Every, now: datetime) -> PipelineTimetable:
    return PipelineTimetable(plan, nowfun=lambda: now)


def test_a_pipeline_is_due_once_its_next_run_has_come():
    plan = Every(Path("order_download.yaml"), timedelta(seconds=30))
    assert timetable(plan, T0 + timedelta(seconds=10)).is_due(T0) == (False, 20.0)
    assert timetable(plan, T0 + timedelta(seconds=30)).is_due(T0) == (True, 30.0)
    assert timetable(plan, T0 + timedelta(seconds=95)).is_due(T0) == (True, 30.0)  # late: once, not 3 times


def test_entries_carry_the_client_the_files_and_the_limits(tmp_path):
    plans = (
        Every(tmp_path / "order_download.yaml", timedelta(seconds=15)),
        Every(tmp_path / "inventory_sync.yaml", timedelta(hours=1), timeout=timedelta(minutes=30)),
    )
    entries = beat_entries([Client("acme", tmp_path / "connections.yaml", plans)], 3600, T0)
    assert set(entries) == {"acme/order_download", "acme/inventory_sync"}
    orders = entries["acme/order_download"]
    assert orders["task"] == RUN_TASK
    files = (str(tmp_path / "order_download.yaml"), str(tmp_path / "connections.yaml"))
    assert orders["args"] == ("acme", *files)
    assert orders["options"] == {"expires": 15.0, "soft_time_limit": 600.0, "time_limit": 630.0}
    assert entries["acme/inventory_sync"]["options"]["expires"] == 3600.0


def test_a_timeout_longer_than_the_workers_allow_is_refused(tmp_path):
    plan = Every(tmp_path / "inventory_sync.yaml", timedelta(hours=1), timeout=timedelta(hours=2))
    with pytest.raises(ConfigError) as raised:
        beat_entries([Client("acme", tmp_path / "connections.yaml", (plan,))], 3600, T0)
    assert "acme: inventory_sync.yaml may run for 7200 s" in raised.value.message
    assert "CARTSYNC_MAX_RUN_TIMEOUT" in (raised.value.hint or "")
