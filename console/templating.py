"""Jinja2 environment of the console: templates, and filters for times, durations and statuses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.templating import Jinja2Templates

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

# Ledger and run statuses as Integration Manager's users name them; others are shown as written.
STATUS_LABELS = {"at_wms": "At WMS", "not_found": "Not found", "ok": "OK"}
# Badge colour per status: good, info, warn, bad, or muted (anything else).
STATUS_TONES = {
    "confirmed": "good", "shipped": "good", "at_wms": "info", "done": "good", "ok": "good", "sent": "good",
    "new": "info", "running": "info", "sending": "info",
    "not_found": "warn", "unknown": "warn", "held": "warn", "retrying": "warn", "lease_lost": "warn",
    "error": "bad", "failed": "bad", "aborted": "bad", "died": "bad", "timeout": "bad",
    "connect_error": "bad", "config_error": "bad",
}  # fmt: skip


def status_label(status: str | None) -> str:
    if not status:
        return ""
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def status_tone(status: str | None) -> str:
    return STATUS_TONES.get(status or "", "muted")


def parse_time(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ago(value: str | datetime | None, now: datetime | None = None) -> str:
    """'just now', '5 min ago', '3 h ago', '2 days ago'; for a time ahead (a next run) 'in 12 s',
    'in 4 min', and 'just now' once it is due."""
    moment = parse_time(value)
    if moment is None:
        return "—"
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds > -1:
        return "just now" if seconds < 45 else f"{duration(seconds, coarse=True)} ago"
    return f"in {duration(-seconds, coarse=True)}"


def age(value: str | datetime | None) -> str:
    """How long ago, as a duration: '3 h'."""
    moment = parse_time(value)
    return duration(max(0.0, (datetime.now(UTC) - moment).total_seconds()), coarse=True) if moment else "—"


def duration(seconds: float | None, coarse: bool = False) -> str:
    """1.4 s, 3 min 20 s, 2 h 5 min, 3 days; `coarse` keeps only the largest unit."""
    if seconds is None:
        return "—"
    if seconds < 1:
        return "< 1 s"  # the state store keeps whole seconds
    if seconds < 60:
        return f"{seconds:.0f} s" if coarse or seconds >= 10 else f"{seconds:.1f} s"
    for unit, size, smaller, smaller_size in (
        ("day", 86400, "h", 3600),
        ("h", 3600, "min", 60),
        ("min", 60, "s", 1),
    ):
        if seconds >= size:
            whole, rest = divmod(int(seconds), size)
            label = f"{whole} {unit}" + ("s" if unit == "day" and whole != 1 else "")
            if coarse or rest < smaller_size:
                return label
            return f"{label} {rest // smaller_size} {smaller}"
    return f"{seconds:.0f} s"


def absolute(value: str | datetime | None) -> str:
    moment = parse_time(value)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else ""


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


def counts_text(counts: dict[str, int]) -> str:
    return (
        ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in sorted(counts.items())) or "nothing"
    )


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.filters.update(
        ago=ago,
        age=age,
        absolute=absolute,
        duration=duration,
        status_label=status_label,
        status_tone=status_tone,
        pretty_json=pretty_json,
        counts_text=counts_text,
    )
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates
