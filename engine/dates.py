"""Parsing the moments integrators write in pipeline files: `30 days ago`, `2024-05-01`, `now`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_RELATIVE = re.compile(r"^\s*(\d+)\s*(minute|hour|day|week)s?\s+ago\s*$", re.IGNORECASE)
_UNITS = {"minute": "minutes", "hour": "hours", "day": "days", "week": "weeks"}


def parse_moment(text: str, now: datetime | None = None) -> datetime:
    """A point in time from `N minutes|hours|days|weeks ago`, `now`, or an ISO date/time.

    Naive ISO values are taken as UTC. Raises ValueError with the accepted forms.
    """
    now = now or datetime.now(UTC)
    value = str(text).strip()
    if value.lower() == "now":
        return now
    match = _RELATIVE.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        return now - timedelta(**{_UNITS[unit]: amount})
    try:
        moment = datetime.fromisoformat(value.replace(" ", "T", 1) if " " in value else value)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a moment; write e.g. '30 days ago', '2024-05-01' or '2024-05-01 08:00:00'"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
