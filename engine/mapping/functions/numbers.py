"""Number functions. Numbers may arrive as text (`"93.9880"`); rounding is half-up, as for money."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from cartsync.engine.mapping.declare import mapping_function
from cartsync.engine.mapping.functions.coerce import as_count, as_decimal, json_number


def _quantize(number: Decimal, decimals: int) -> Decimal:
    return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@mapping_function(
    "number|string|null",
    "number?",
    name="round",
    examples=(("round(total, `2`)", 93.99), ("round('2.675', `2`)", 2.68), ("round(`2.5`)", 3)),
)
def round_number(number: float | str | None, digits: int = 0) -> int | float | None:
    """`number` rounded half-up to `digits` decimals (default 0); whole results are integers."""
    if number is None:
        return None
    return json_number(_quantize(as_decimal(number, "round"), as_count(digits, "round", "digits")))


@mapping_function(
    "number|string|null",
    "number",
    examples=(("format_number(total, `2`)", "93.99"), ("format_number(`7`, `2`)", "7.00")),
)
def format_number(number: float | str | None, decimals: int) -> str | None:
    """`number` as text with exactly `decimals` decimals, rounded half-up."""
    if number is None:
        return None
    rounded = _quantize(as_decimal(number, "format_number"), as_count(decimals, "format_number", "decimals"))
    return f"{rounded:f}"


@mapping_function("number|string|null", examples=(("to_int('12.7')", 12), ("to_int(`4.0`)", 4)))
def to_int(value: float | str | None) -> int | None:
    """`value` as a whole number, dropping any fraction (`12.7` gives 12)."""
    if value is None:
        return None
    return int(as_decimal(value, "to_int").to_integral_value(rounding=ROUND_DOWN))


def _bounded(number: Any, function: str) -> int | float:
    return json_number(as_decimal(number, function))


@mapping_function(
    "number|string|null", "number", examples=(("clamp_min(`-2`, `0`)", 0), ("clamp_min(`5`, `0`)", 5))
)
def clamp_min(number: float | str | None, floor: float) -> int | float | None:
    """`number`, or `floor` when `number` is below it (e.g. stock that must not go negative)."""
    if number is None:
        return None
    value = _bounded(number, "clamp_min")
    return floor if value < floor else value


@mapping_function(
    "number|string|null",
    "number",
    examples=(("zero_below(`2`, setting('min_stock'))", 0), ("zero_below(`7`, `3`)", 7)),
)
def zero_below(number: float | str | None, level: float) -> int | float | None:
    """0 when `number` is below `level`, else `number` (a minimum inventory level)."""
    if number is None:
        return None
    value = _bounded(number, "zero_below")
    return 0 if value < level else value


@mapping_function(
    "number|string|null",
    "number|string|null",
    variadic=True,
    examples=(("minus(`10`, `3`, `2`)", 5), ("minus(total, `3.988`)", 90)),
)
def minus(number: float | str | None, *subtrahends: float | str | None) -> int | float | None:
    """`number` minus each of the others (nulls count as 0); JMESPath itself has no arithmetic."""
    if number is None:
        return None
    result = as_decimal(number, "minus")
    for value in subtrahends:
        if value is not None:
            result -= as_decimal(value, "minus")
    return json_number(result)


FUNCTIONS = (round_number, format_number, to_int, clamp_min, zero_below, minus)
