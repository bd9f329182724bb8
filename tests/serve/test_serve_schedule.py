"""Schedule files: the runtime-neutral model's times, and validation with file:line:col."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from cartsync.cli import app
from cartsync.engine.schedule import load_schedule, read_schedule

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = ROOT / "mappings" / "order_download.yaml"


def schedule(tmp_path: Path, text: str) -> Path:
    (tmp_path / "order_download.yaml").write_text(PIPELINE.read_text())
    (tmp_path / "connections.yaml").write_text("{}\n")
    path = tmp_path / "schedule.yaml"
    path.write_text(text)
    return path


def test_cron_and_quiet_hours_are_read_in_the_schedules_time_zone(tmp_path: Path) -> None:
    path = schedule(
        tmp_path,
        """version: 1
timezone: Europe/Berlin
quiet_hours: [{from: "23:30", to: "01:00"}]
pipelines:
  - {file: order_download.yaml, cron: "0 * * * *"}
  - {file: order_download.yaml, every: 20 minutes, quiet_hours: []}
""".replace("  - {file: order_download.yaml, every", "  - {file: copy.yaml, every"),
    )
    (tmp_path / "copy.yaml").write_text(PIPELINE.read_text())
    parsed, issues = read_schedule(path)
    assert issues == [] and parsed is not None
    hourly, interval = parsed.pipelines
    berlin = ZoneInfo("Europe/Berlin")
    # 22:10 UTC is 23:10 in Berlin (winter): 00:00 is quiet, so the next hour on the clock is 01:00
    assert hourly.next_run(datetime(2026, 1, 15, 22, 10, tzinfo=UTC)) == datetime(
        2026, 1, 16, 1, 0, tzinfo=berlin
    )
    assert hourly.is_quiet(datetime(2026, 1, 15, 23, 0, tzinfo=UTC))  # 00:00 in Berlin
    assert interval.next_run(datetime(2026, 1, 15, 23, 0, tzinfo=UTC)) == datetime(
        2026, 1, 16, 0, 20, tzinfo=berlin
    )
    assert hourly.timeout.total_seconds() == 600 and hourly.skip_when_idle and not hourly.on_push


def test_validate_reports_every_schedule_problem_in_place(tmp_path: Path) -> None:
    schedule(
        tmp_path,
        """version: 1
timezone: Moon/Base
pipelines:
  - {file: order_download.yaml, every: 5 minutes, cron: "0 * * * *"}
  - {file: missing.yaml, evry: 1 minute}
  - {file: order_download.yaml, cron: "every hour"}
alerts:
  not_succeeded_for: soon
""",
    )
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "schedule.yaml")])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    expected = [
        "schedule.yaml:2:11: $.timezone: unknown time zone `Moon/Base`",
        "schedule.yaml:4:5: $.pipelines[0]: give `every` or `cron`, not both",
        "schedule.yaml:5:12: $.pipelines[1].file: the pipeline file does not exist",
        "schedule.yaml:5:26: $.pipelines[1].evry: unknown key `evry` (hint: did you mean `every`?)",
        "schedule.yaml:6:39: $.pipelines[2].cron: invalid cron `every hour`",
        "schedule.yaml:6:12: $.pipelines[2].file: this pipeline is already scheduled (item 0)",
        "schedule.yaml:8:22: $.alerts.not_succeeded_for: expected a duration such as `15 seconds`",
    ]
    for text in expected:
        assert any(text in line for line in lines), f"{text!r} not in:\n{result.output}"


def test_the_example_client_validates_without_a_push_secret_and_serve_runs_it_with_push_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A newcomer following the README sets the connection secrets; push is optional."""
    monkeypatch.delenv("EXAMPLE_PUSH_SECRET", raising=False)
    for name in ("EXAMPLE_OC_KEY", "EXAMPLE_WMS_ID", "EXAMPLE_WMS_SECRET"):
        monkeypatch.setenv(name, "set-by-the-newcomer")
    result = CliRunner().invoke(app, ["validate", str(ROOT / "mappings"), str(ROOT / "clients")])
    assert (result.exit_code, result.output.strip().splitlines()[-1]) == (0, "all files are valid")
    assert "schedule.yaml" not in result.output  # nothing to say about it

    parsed = load_schedule(ROOT / "clients" / "example")
    assert parsed.push_secret is None  # off: /push refuses, order_download polls
    monkeypatch.setenv("EXAMPLE_PUSH_SECRET", "a-secret-of-enough-length")
    assert load_schedule(ROOT / "clients" / "example").push_secret == "a-secret-of-enough-length"


def test_a_push_secret_too_short_to_sign_with_is_reported_without_showing_it(tmp_path: Path) -> None:
    schedule(
        tmp_path,
        'version: 1\npipelines: [{file: order_download.yaml, every: 1 minute}]\npush: {secret: "hunter2"}\n',
    )
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "schedule.yaml")])
    assert result.exit_code == 2
    assert "schedule.yaml:3:16: $.push.secret: the push secret has 7 characters; it needs at least 16" in (
        result.output
    )
    assert "hunter2" not in result.output
