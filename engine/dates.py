"""Parsing the moments and durations integrators write in pipeline files: `30 days ago`,
`2024-05-01`, `now`, `15 days`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_RELATIVE = re.compile(r"^\s*(\d+)\s*(second|minute|hour|day|week)s?\s+ago\s*$", re.IGNORECASE)
_UNITS = {"second": "seconds", "minute": "minutes", "hour": "hours", "day": "days", "week": "weeks"}


def parse_moment(text: str, now: datetime | None = None) -> datetime:
    """A point in time from `N seconds|minutes|hours|days|weeks ago`, `now`, or an ISO date/time.

    Naive ISO values are taken as UTC. Raises ValueError with the accepted forms.
    """
    now = now or datetime.now(UTC)
    value = str(text).strip()
    if value.lower() == "now":
        return now
    match = _RELATIVE.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        try:
            return now - timedelta(**{_UNITS[unit]: amount})
        except OverflowError:
            raise ValueError(f"{text!r} is further back than the calendar goes") from None
    try:
        moment = datetime.fromisoformat(value.replace(" ", "T", 1) if " " in value else value)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a moment; write e.g. '30 days ago', '2024-05-01' or '2024-05-01 08:00:00'"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_DURATION = re.compile(r"^\s*(\d+)\s*(second|minute|hour|day|week)s?\s*$", re.IGNORECASE)


def parse_duration(text: str) -> timedelta:
    """`90 seconds`, `10 minutes`, `1 hour`, `15 days`, `2 weeks` as a timedelta: the one reader of
    the durations integrators write (pipeline retry windows, connection settings, stream params).

    Raises ValueError with the accepted forms.
    """
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration; write e.g. '15 seconds', '10 minutes' or '1 hour'")
    try:
        return timedelta(**{match.group(2).lower() + "s": int(match.group(1))})
    except OverflowError:
        raise ValueError(f"{text!r} is longer than the calendar goes") from None


def duration(value: object) -> timedelta:
    """A duration setting as written: text (`10 minutes`) or a number of seconds. Raises ValueError."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"{value!r} is not a duration: it is below 0")
        try:
            return timedelta(seconds=value)
        except OverflowError:
            raise ValueError(f"{value!r} seconds is longer than the calendar goes") from None
    return parse_duration(str(value))
