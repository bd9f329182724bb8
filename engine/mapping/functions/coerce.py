"""Turning JSON values into text and numbers the same way in every function."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from cartsync.engine.mapping.errors import MappingError


def as_text(value: Any) -> str:
    """Text for joining: null is empty, booleans are `true`/`false`, arrays and objects are JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def as_decimal(value: Any, function: str) -> Decimal:
    """A number, or a string holding one (store APIs send money as `"93.9880"`), as an exact Decimal."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return number
    raise MappingError(f"{function}(): {json.dumps(value)} is not a number")


def json_number(number: Decimal) -> int | float:
    """An int when the value is whole, else a float: `5.0000` -> 5, `93.99` -> 93.99."""
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def as_count(value: Any, function: str, param: str) -> int:
    """A non-negative whole number such as a length or a number of decimals."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0 and value == int(value):
        return int(value)
    raise MappingError(f"{function}(): '{param}' must be a whole number >= 0, got {json.dumps(value)}")
