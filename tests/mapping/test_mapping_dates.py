from datetime import UTC, datetime, timedelta, timezone

import pytest

from cartsync.engine.mapping import MappingContext, MappingError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("'2024-05-01 08:30:00'", "2024-05-01T08:30:00"),
        ("'2024-05-01T08:30:00Z'", "2024-05-01T08:30:00+00:00"),
        ("'2024-05-01T08:30:00-06:00'", "2024-05-01T08:30:00-06:00"),
        ("'2024-05-01'", "2024-05-01"),
        ("' 2024-05-01 '", "2024-05-01"),
        ("`1714552200`", "2024-05-01T08:30:00+00:00"),
        ("'0000-00-00 00:00:00'", None),
        ("'0000-00-00'", None),
        ("`null`", None),
    ],
)
def test_parse_date_without_format(evaluate, value, expected):
    assert evaluate(f"parse_date({value})") == expected


def test_parse_date_with_a_format(evaluate):
    assert evaluate("parse_date('01/05/2024 14:05', '%d/%m/%Y %H:%M')") == "2024-05-01T14:05:00"
    assert evaluate("parse_date('May 1, 2024', '%B %d, %Y')") == "2024-05-01"


def test_parse_date_errors_say_what_was_expected(evaluate):
    with pytest.raises(MappingError) as caught:
        evaluate("parse_date('yesterday')")
    assert (
        caught.value.message
        == "parse_date(): \"yesterday\" is not a date in ISO 8601 (e.g. '2024-05-01 08:30:00')"
    )
    with pytest.raises(MappingError) as caught:
        evaluate("parse_date('2024-05-01', '%d/%m/%Y')")
    assert caught.value.message == "parse_date(): \"2024-05-01\" is not a date in the format '%d/%m/%Y'"


def test_format_date(evaluate):
    assert evaluate("format_date('2024-05-01 08:30:00', '%Y%m%d-%H%M')") == "20240501-0830"
    assert evaluate("format_date('2024-05-01', '%d.%m.%Y')") == "01.05.2024"
    assert evaluate("format_date(missing, '%Y')") is None
    with pytest.raises(MappingError, match=r"^format_date\(\): \"05/01/2024\" is not a date in ISO 8601"):
        evaluate("format_date('05/01/2024', '%Y')")


def test_now_uses_the_injected_clock():
    moments = iter(
        [datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=UTC), datetime(2024, 1, 2, 3, 4, 6, tzinfo=UTC)]
    )
    context = MappingContext(now=lambda: next(moments))
    assert context.compile("now()").search({}) == "2024-01-02T03:04:05+00:00"
    assert context.compile("now('%H:%M:%S')").search({}) == "03:04:06"


def test_now_defaults_to_the_current_utc_time():
    before = datetime.now(UTC).replace(microsecond=0)
    value = datetime.fromisoformat(MappingContext().compile("now()").search({}))
    assert value.utcoffset() == timedelta(0)
    assert before <= value <= datetime.now(UTC)


def test_now_keeps_the_offset_of_a_clock_in_another_zone():
    clock = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    assert MappingContext(now=lambda: clock).compile("now()").search({}) == "2024-01-02T03:04:05+02:00"


def test_add_days_keeps_dates_as_dates_and_times_as_times(evaluate):
    assert evaluate("add_days('2024-02-28', `2`)") == "2024-03-01"
    assert evaluate("add_days('2024-05-01 23:00:00', `1`)") == "2024-05-02T23:00:00"
    assert evaluate("add_days('2024-05-01T00:00:00+00:00', `-1`)") == "2024-04-30T00:00:00+00:00"
    assert evaluate("add_days(missing, `1`)") is None
