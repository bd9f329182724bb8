"""Date functions. Dates travel as ISO 8601 text; a date without a time stays a date."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from cartsync.engine.mapping.declare import FunctionEnv, mapping_function
from cartsync.engine.mapping.errors import MappingError

_ZERO_DATES = frozenset({"0000-00-00", "0000-00-00 00:00:00"})  # MySQL's "no date"
_TIME_DIRECTIVES = ("%H", "%I", "%M", "%S", "%f", "%p", "%X", "%c", "%s")


def _moment(value: str | float, function: str, pattern: str | None = None) -> date | datetime | None:
    """The date or date-time in `value`: ISO 8601 text, epoch seconds, or text in `pattern`."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    text = str(value).strip()
    if text in _ZERO_DATES:
        return None
    try:
        if pattern is not None:
            moment = datetime.strptime(text, pattern)
            return moment if any(d in pattern for d in _TIME_DIRECTIVES) else moment.date()
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        expected = f"the format '{pattern}'" if pattern else "ISO 8601 (e.g. '2024-05-01 08:30:00')"
        raise MappingError(f"{function}(): {json.dumps(value)} is not a date in {expected}") from None


@mapping_function(
    "string|number|null",
    "string?",
    examples=(
        ("parse_date(date_added)", "2024-05-01T08:30:00"),
        ("parse_date('05/01/2024', '%m/%d/%Y')", "2024-05-01"),
        ("parse_date('0000-00-00 00:00:00')", None),
    ),
)
def parse_date(value: str | float | None, format: str | None = None) -> str | None:
    """`value` as ISO 8601 text.

    Without `format`, `value` is ISO 8601 (a space may separate date and time) or epoch seconds.
    With `format`, it is read with Python `strptime` directives. `null` and MySQL's zero date give `null`.
    """
    if value is None:
        return None
    moment = _moment(value, "parse_date", format)
    return None if moment is None else moment.isoformat()


@mapping_function(
    "string|number|null",
    "string",
    examples=(("format_date(date_added, '%d.%m.%Y %H:%M')", "01.05.2024 08:30"),),
)
def format_date(value: str | float | None, format: str) -> str | None:
    """The ISO 8601 date `value` written with Python `strftime` directives."""
    moment = None if value is None else _moment(value, "format_date")
    return None if moment is None else moment.strftime(format)


@mapping_function(
    "string?",
    uses_env=True,
    examples=(("now()", "2024-05-02T09:00:00+00:00"), ("now('%Y%m%d')", "20240502")),
)
def now(env: FunctionEnv, format: str | None = None) -> str:
    """The current time in UTC: ISO 8601 to the second, or written with `strftime` directives."""
    moment = env.now()
    return moment.isoformat(timespec="seconds") if format is None else moment.strftime(format)


@mapping_function(
    "string|number|null",
    "number",
    examples=(
        ("add_days('2024-05-30', `3`)", "2024-06-02"),
        ("add_days(date_added, `-1`)", "2024-04-30T08:30:00"),
    ),
)
def add_days(value: str | float | None, days: float) -> str | None:
    """The ISO 8601 date `value` moved by `days` days (negative goes back)."""
    moment = None if value is None else _moment(value, "add_days")
    return None if moment is None else (moment + timedelta(days=days)).isoformat()


FUNCTIONS = (parse_date, format_date, now, add_days)
