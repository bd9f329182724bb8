"""Reading a client's `schedule.yaml`: every problem with file:line:col, like the other files."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from cartsync.engine import secrets
from cartsync.engine.config.discovery import SCHEDULE_FILE_NAMES
from cartsync.engine.config.env_vars import Environment
from cartsync.engine.config.issues import ConfigIssues, issue, sort_issues
from cartsync.engine.config.model import ConfigIssue
from cartsync.engine.config.schema_check import check_schema
from cartsync.engine.config.yaml_positions import LocatedDocument, read_yaml
from cartsync.engine.connector import load_schema
from cartsync.engine.dates import parse_duration
from cartsync.engine.errors import ConfigError
from cartsync.engine.schedule.model import (
    AlertSettings,
    ClientSchedule,
    Cron,
    EmailAlerts,
    Every,
    PipelineSchedule,
    QuietHours,
    SmtpSettings,
    Trigger,
    Webhook,
)
from cartsync.engine.state.location import is_postgres

SCHEDULE_SCHEMA = "schedule.schema.json"
DEFAULT_TIMEOUT = timedelta(minutes=10)
DEFAULT_STATE = Path(".cartsync/state.db")
_SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
MIN_PUSH_SECRET = 16


def schedule_file(path: Path) -> Path:
    """`clients/acme` or `clients/acme/schedule.yaml` -> the schedule file. Raises ConfigError."""
    path = Path(path)
    if path.is_dir():
        found = next((path / name for name in SCHEDULE_FILE_NAMES if (path / name).is_file()), None)
        if found is None:
            raise ConfigError(
                f"{path} has no schedule.yaml.",
                hint="Create one (see the README, 'From cron to serve'), e.g. "
                "`pipelines: [{file: order_download.yaml, every: 1 minute}]`.",
            )
        return found
    if not path.is_file():
        raise ConfigError(f"{path} does not exist.", hint="Name a client folder or its schedule.yaml.")
    return path


def load_schedule(path: Path) -> ClientSchedule:
    """The schedule of the client at `path` (folder or file). Raises ConfigIssues."""
    schedule, issues = read_schedule(schedule_file(path))
    if issues or schedule is None:
        raise ConfigIssues(issues)
    return schedule


def read_schedule(
    path: Path, env: Mapping[str, str] | Environment = os.environ
) -> tuple[ClientSchedule | None, list[ConfigIssue]]:
    """The schedule (None when there are issues) and every issue found in it."""
    document, issues = read_yaml(path, env)
    if document is None:
        return None, issues
    data = document.data
    if not isinstance(data, dict):
        return None, [*issues, issue(document.value_position(()), (), "expected a mapping of schedule keys")]
    _register_secrets(data)
    issues += check_schema(data, load_schema(SCHEDULE_SCHEMA), document)
    zone, found = _zone(document)
    issues += found
    issues += _pipeline_checks(path, document)
    issues += _push_checks(document)
    connections = path.parent / str(data.get("connections") or "connections.yaml")
    if isinstance(data.get("connections"), str) and not connections.is_file():
        where = document.value_position(("connections",))
        issues.append(issue(where, ("connections",), f"the connections file does not exist: {connections}"))
    if issues:
        return None, sort_issues(issues)
    return _build(path, data, zone, connections), []


def _register_secrets(data: dict[str, Any]) -> None:
    """The push secret, the SMTP password and webhook URLs (they carry tokens) are never shown."""
    push = data.get("push")
    if isinstance(push, dict):
        secrets.register(push.get("secret"))
    alerts = data.get("alerts") if isinstance(data.get("alerts"), dict) else {}
    email = alerts.get("email")
    if isinstance(email, dict) and isinstance(email.get("smtp"), dict):
        secrets.register(email["smtp"].get("password"))
    for hook in alerts.get("webhooks") or []:
        if isinstance(hook, dict):
            secrets.register(hook.get("url"))


def _zone(document: LocatedDocument) -> tuple[tzinfo, list[ConfigIssue]]:
    name = document.data.get("timezone")
    if not isinstance(name, str) or name.upper() == "UTC":
        return UTC, []
    try:
        return ZoneInfo(name), []
    except (ZoneInfoNotFoundError, ValueError):
        where = document.value_position(("timezone",))
        hint = "an IANA name such as `Europe/Berlin` or `America/New_York`"
        return UTC, [issue(where, ("timezone",), f"unknown time zone `{name}`", hint)]


def _pipeline_checks(path: Path, document: LocatedDocument) -> list[ConfigIssue]:
    """What the schema cannot say: one trigger each, a valid cron, files that exist, no repeats."""
    issues: list[ConfigIssue] = []
    entries = document.data.get("pipelines")
    seen: dict[Path, int] = {}
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict):
            continue
        where = ("pipelines", index)
        triggers = [key for key in ("every", "cron") if key in entry]
        if len(triggers) != 1:
            message = "give `every` or `cron`, not both" if triggers else "missing `every` or `cron`"
            hint = None if triggers else 'for example `every: 1 minute` or `cron: "0 * * * *"`'
            issues.append(issue(document.value_position(where), where, message, hint))
        cron = entry.get("cron")
        if isinstance(cron, str) and not _valid_cron(cron):
            hint = "five fields: minute hour day-of-month month day-of-week, e.g. `*/5 * * * *`"
            issues.append(
                issue(
                    document.value_position((*where, "cron")),
                    (*where, "cron"),
                    f"invalid cron `{cron}`",
                    hint,
                )
            )
        every = entry.get("every")
        if isinstance(every, str) and _seconds(every) == 0:
            issues.append(
                issue(
                    document.value_position((*where, "every")),
                    (*where, "every"),
                    "expected at least `1 second`",
                )
            )
        file = entry.get("file")
        if not isinstance(file, str):
            continue
        target = (path.parent / file).resolve()
        at = document.value_position((*where, "file"))
        if not target.is_file():
            issues.append(
                issue(at, (*where, "file"), f"the pipeline file does not exist: {path.parent / file}")
            )
        elif target in seen:
            issues.append(
                issue(at, (*where, "file"), f"this pipeline is already scheduled (item {seen[target]})")
            )
        seen.setdefault(target, index)
    return issues


def _push_checks(document: LocatedDocument) -> list[ConfigIssue]:
    """A push secret is long enough to sign with, or empty (push off)."""
    push = document.data.get("push")
    secret = push.get("secret") if isinstance(push, dict) else None
    if not isinstance(secret, str) or secret == "" or len(secret) >= MIN_PUSH_SECRET:
        return []
    where = ("push", "secret")
    message = f"the push secret has {len(secret)} characters; it needs at least {MIN_PUSH_SECRET}"
    hint = "generate one with `openssl rand -hex 32`, or leave it empty to turn push off"
    return [issue(document.value_position(where), where, message, hint)]


def _valid_cron(expression: str) -> bool:
    return len(expression.split()) == 5 and croniter.is_valid(expression)


def _seconds(text: str) -> float | None:
    try:
        return parse_duration(text).total_seconds()
    except ValueError:
        return None


def _build(path: Path, data: dict[str, Any], zone: tzinfo, connections: Path) -> ClientSchedule:
    timeout = _duration(data.get("timeout"), DEFAULT_TIMEOUT)
    quiet = _quiet(data.get("quiet_hours") or [])
    pipelines = tuple(_pipeline(path.parent, entry, zone, timeout, quiet) for entry in data["pipelines"])
    push = data.get("push")
    return ClientSchedule(
        path=path,
        client=data.get("client") or path.resolve().parent.name,
        zone=zone,
        connections=connections,
        state=_state(path, data.get("state")),
        pipelines=pipelines,
        alerts=_alerts(data.get("alerts") or {}),
        push_secret=(push or {}).get("secret") or None,  # empty: push off
    )


def _state(path: Path, location: str | None) -> Path | str:
    """A postgresql:// URL as it is; a file relative to the schedule."""
    if location and is_postgres(location):
        return location
    return path.parent / (location or DEFAULT_STATE)


def _pipeline(
    folder: Path, entry: dict[str, Any], zone: tzinfo, timeout: timedelta, quiet: tuple[QuietHours, ...]
) -> PipelineSchedule:
    trigger: Trigger = Cron(entry["cron"]) if "cron" in entry else Every(parse_duration(entry["every"]))
    return PipelineSchedule(
        file=folder / entry["file"],
        trigger=trigger,
        zone=zone,
        timeout=_duration(entry.get("timeout"), timeout),
        quiet_hours=_quiet(entry["quiet_hours"]) if "quiet_hours" in entry else quiet,
        skip_when_idle=entry.get("skip_when_idle", True),
        run_at_least_every=_duration(entry.get("run_at_least_every"), timedelta(minutes=10)),
        on_push=entry.get("on_push", False),
    )


def _alerts(data: dict[str, Any]) -> AlertSettings:
    defaults = AlertSettings()
    email = data.get("email")
    digest = data.get("daily_digest")
    return AlertSettings(
        email=_email(email) if email else None,
        webhooks=tuple(
            Webhook(hook["url"], hook.get("format", "slack")) for hook in data.get("webhooks", [])
        ),
        held_records=data.get("held_records", defaults.held_records),
        connection_failures=data.get("connection_failures", defaults.connection_failures),
        not_succeeded_for=_duration(data.get("not_succeeded_for"), defaults.not_succeeded_for),
        daily_digest=_clock(digest) if digest else None,
    )


def _email(data: dict[str, Any]) -> EmailAlerts:
    smtp = data["smtp"]
    security = smtp.get("security", "starttls")
    settings = SmtpSettings(
        host=smtp["host"],
        sender=smtp["from"],
        port=smtp.get("port", _SMTP_PORTS[security]),
        security=security,
        username=smtp.get("username"),
        password=smtp.get("password"),
        timeout=float(smtp.get("timeout", 30)),
    )
    return EmailAlerts(tuple(data["to"]), settings)


def _quiet(windows: list[dict[str, str]]) -> tuple[QuietHours, ...]:
    return tuple(QuietHours(_clock(window["from"]), _clock(window["to"])) for window in windows)


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _duration(text: str | None, default: timedelta) -> timedelta:
    return parse_duration(text) if text else default
