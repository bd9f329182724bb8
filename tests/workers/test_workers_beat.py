"""Beat from the clients' schedule.yaml files, read by serve's loader and model: runs are sent at
the moments the schedule names (intervals, cron in the schedule's zone, quiet hours), stale runs
expire, runs are killed past their timeout, changed schedules apply once valid, and the clients
beat refuses are the ones serve refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from celery import Celery
from typer.testing import CliRunner

from cartsync.cli import app as cli
from cartsync.engine.errors import ConfigError
from cartsync.engine.schedule import load_schedule
from cartsync.engine.workers.beat import (
    CLIENTS_SETTING,
    ClientSchedules,
    PipelineTimetable,
    beat_entries,
    load_beat_clients,
)
from cartsync.engine.workers.tasks import RUN_TASK

STATE = "postgresql://cartsync@127.0.0.1:1/cartsync"  # never connected to: beat only names it
SCHEDULE = """\
version: 1
timezone: Europe/Berlin
pipelines:
  - {file: order_download.yaml, every: 30 seconds}
  - {file: shipment_confirmation.yaml, every: 5 minutes, timeout: 2 minutes}
  - file: inventory_sync.yaml
    cron: "0 * * * *"
    quiet_hours: [{from: "02:00", to: "04:00"}]
    timeout: 30 minutes
"""


@pytest.fixture
def client(tmp_path: Path, example_client, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example client with SCHEDULE, its variables set (nothing is connected to)."""
    for name in ("EXAMPLE_OC_KEY", "EXAMPLE_WMS_ID", "EXAMPLE_WMS_SECRET"):
        monkeypatch.setenv(name, "unused")
    monkeypatch.setenv("CARTSYNC_STATE", STATE)
    folder = example_client(tmp_path / "acme")
    (folder / "schedule.yaml").write_text(SCHEDULE)
    return folder


def sent_at(timetable: PipelineTimetable, start: datetime, end: datetime) -> list[datetime]:
    """The moments beat sends the entry between `start` and `end`, ticking as beat does: it
    sleeps until the entry says it is due, and a sent entry's last run is the moment it was sent."""
    moments, now, last = [], start, timetable.not_run_yet
    while now < end:
        timetable.nowfun = lambda moment=now: moment
        due, wait = timetable.is_due(last)
        if due:
            moments.append(now)
            last = now
        else:
            now += timedelta(seconds=wait)
    return moments


def test_an_interval_pipeline_is_sent_at_start_then_every_interval_once_even_when_late(client):
    plan = load_schedule(client).pipelines[0]
    start = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    timetable = PipelineTimetable(plan, start)
    assert sent_at(timetable, start, start + timedelta(seconds=100)) == [
        start + timedelta(seconds=s) for s in (0, 30, 60, 90)
    ]
    timetable.nowfun = lambda: start + timedelta(seconds=95)  # beat was stopped for a while
    assert timetable.is_due(start) == (True, 30.0)  # once, not three times


def test_cron_runs_at_the_schedules_hours_in_its_zone_and_never_in_quiet_hours(client):
    plan = load_schedule(client).pipelines[2]
    start = datetime(2024, 5, 1, 21, 40, tzinfo=UTC)  # 23:40 in Berlin
    moments = sent_at(PipelineTimetable(plan, start), start, start + timedelta(hours=24))
    local_hours = [moment.astimezone(plan.zone).hour for moment in moments]
    assert local_hours == [0, 1, 4, *range(5, 24)]  # on the hour; 02:00 and 03:00 are quiet
    assert all(moment.minute == 0 and moment.second == 0 for moment in moments)


def test_entries_carry_the_schedule_and_pipeline_files_and_the_limits(client):
    entries = beat_entries(load_schedule(client), max_run_timeout=3600)
    assert set(entries) == {"acme/order_download", "acme/shipment_confirmation", "acme/inventory_sync"}
    orders = entries["acme/order_download"]
    assert orders["task"] == RUN_TASK
    assert orders["args"] == (str(client / "schedule.yaml"), str(client / "order_download.yaml"))
    # a run not started by the next due moment gives way to it; a run is killed 30 s past its timeout
    assert orders["options"] == {"expires": 30.0, "time_limit": 630.0}
    assert entries["acme/shipment_confirmation"]["options"] == {"expires": 300.0, "time_limit": 150.0}
    assert entries["acme/inventory_sync"]["options"] == {"expires": 3600.0, "time_limit": 1830.0}


def test_a_timeout_longer_than_the_workers_allow_is_refused(client):
    with pytest.raises(ConfigError) as raised:
        beat_entries(load_schedule(client), max_run_timeout=900)
    message = raised.value.message
    assert "inventory_sync.yaml may run for 1800 s, longer than the workers allow (900 s)" in message
    assert "CARTSYNC_MAX_RUN_TIMEOUT" in (raised.value.hint or "")


def test_clients_that_would_share_a_state_store_are_refused(client, tmp_path, example_client):
    other = example_client(tmp_path / "bravo")
    (other / "schedule.yaml").write_text(SCHEDULE + "client: acme\n")
    with pytest.raises(ConfigError, match="Two client folders are both named acme"):
        load_beat_clients([client, other], 3600)
    (other / "schedule.yaml").write_text(SCHEDULE + f"client: bravo\nstate: '{STATE}?schema=acme'\n")
    with pytest.raises(ConfigError, match="Several clients share the state store"):
        load_beat_clients([client, other], 3600)


def scheduler(client: Path) -> ClientSchedules:
    app = Celery("beat-test", set_as_current=False)
    app.conf[CLIENTS_SETTING] = [str(client)]
    return ClientSchedules(app=app)


def test_a_changed_schedule_applies_once_valid_and_unchanged_entries_keep_their_time(client):
    beat = scheduler(client)
    before = dict(beat.schedule)
    (client / "schedule.yaml").write_text(SCHEDULE.replace("every: 5 minutes", "every: 10 minutes"))
    assert beat.reload_changed() == ["acme"]
    after = beat.schedule
    assert after["acme/order_download"] is before["acme/order_download"]  # its place in time kept
    assert after["acme/shipment_confirmation"].options["expires"] == 600.0

    (client / "schedule.yaml").write_text(SCHEDULE.replace("every: 30 seconds", "every: often"))
    assert beat.reload_changed() == []
    assert beat.schedule is after  # the previous schedule keeps running
    assert beat.reload_changed() == []  # and the broken file is not read again until it changes


def test_beat_refuses_to_start_without_postgresql_state_or_with_a_broken_schedule(client, monkeypatch):
    monkeypatch.delenv("CARTSYNC_STATE")
    result = CliRunner().invoke(cli, ["beat", str(client)])
    assert result.exit_code == 2
    assert "Workers keep state in PostgreSQL, and CARTSYNC_STATE is not set" in result.output

    monkeypatch.setenv("CARTSYNC_STATE", STATE)
    (client / "schedule.yaml").write_text(SCHEDULE.replace("every: 30 seconds", "every: 0 seconds"))
    result = CliRunner().invoke(cli, ["beat", str(client)])
    assert result.exit_code == 2
    assert "schedule.yaml:4:" in result.output and "expected at least `1 second`" in result.output
    assert "Traceback" not in result.output
