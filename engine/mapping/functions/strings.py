"""Text functions. Those that take one text return `null` for `null`, so optional fields map cleanly."""

from __future__ import annotations

import json
import re
from typing import Any

from cartsync.engine.mapping.declare import mapping_function
from cartsync.engine.mapping.errors import MappingError
from cartsync.engine.mapping.functions.coerce import as_count, as_text

_WRITTEN_AS_IS = frozenset({str, int, float})  # as_text gives str() of these; tested first for speed
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}:]*)(?::([^{}]*))?\}|[{}]")


def _placeholder_value(values: dict[str, Any] | list[Any], name: str) -> Any:
    if isinstance(values, dict):
        if name in values:
            return values[name]
    elif name.isdigit() and int(name) < len(values):
        return values[int(name)]
    raise MappingError(f"format(): the values have nothing for {{{name}}}")


@mapping_function(
    "string",
    "object|array",
    name="format",
    examples=(
        ("format('OC-{id}', {id: order_id})", "OC-10045"),
        ("format('{0} {1}', [shipping_firstname, shipping_lastname])", "Ada Lovelace"),
        ("format('{total:.2f} {currency}', {total: `93.988`, currency: 'USD'})", "93.99 USD"),
    ),
)
def format_text(template: str, values: dict[str, Any] | list[Any]) -> str:
    """Fills `{name}` (from an object) or `{0}` (from an array) placeholders in `template`.

    A placeholder may carry a Python format spec after a colon (`{total:.2f}`). `null` fills as
    empty text. Write `{{` and `}}` for literal braces.
    """

    def fill(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        if len(token) == 1:
            raise MappingError(f"format(): unmatched '{token}' in template {template!r}; write '{token * 2}'")
        value = _placeholder_value(values, match.group(1).strip())
        spec = match.group(2)
        if spec is None or value is None:
            return as_text(value)
        try:
            return format(value, spec)
        except (ValueError, TypeError):
            raise MappingError(f"format(): cannot apply format '{spec}' to {json.dumps(value)}") from None

    return _PLACEHOLDER.sub(fill, template)


@mapping_function("any", variadic=True, examples=(("concat('OC-', order_id, null, '-A')", "OC-10045-A"),))
def concat(*values: Any) -> str:
    """Joins the values as text; `null` counts as empty text and numbers are written as they are."""
    return "".join([str(value) if type(value) in _WRITTEN_AS_IS else as_text(value) for value in values])


@mapping_function("string|null", examples=(("upper('fer-1234')", "FER-1234"),))
def upper(text: str | None) -> str | None:
    """`text` in capitals."""
    return None if text is None else text.upper()


@mapping_function("string|null", examples=(("lower(email)", " ada@example.com "),))
def lower(text: str | None) -> str | None:
    """`text` in small letters."""
    return None if text is None else text.lower()


@mapping_function("string|null", examples=(("trim(email)", "Ada@Example.com"),))
def trim(text: str | None) -> str | None:
    """`text` without leading and trailing whitespace."""
    return None if text is None else text.strip()


@mapping_function(
    "string|null", "string", "string", examples=(("replace(telephone, '-', '')", "5551234567"),)
)
def replace(text: str | None, old: str, new: str) -> str | None:
    """`text` with every `old` replaced by `new`."""
    return None if text is None else text.replace(old, new)


@mapping_function(
    "string|null", "string", examples=(("split('FER-1234-0001', '-')", ["FER", "1234", "0001"]),)
)
def split(text: str | None, separator: str) -> list[str] | None:
    """The parts of `text` between each `separator`."""
    if not separator:
        raise MappingError("split(): the separator cannot be empty")
    return None if text is None else text.split(separator)


@mapping_function("string|null", "number", examples=(("truncate(comment, `10`)", "Leave at t"),))
def truncate(text: str | None, length: int) -> str | None:
    """The first `length` characters of `text` (for fields with a maximum length)."""
    count = as_count(length, "truncate", "length")
    return None if text is None else text[:count]


@mapping_function(
    "any",
    "any",
    examples=(("default(shipping_company, 'n/a')", "n/a"), ("default(`0`, `5`)", 0)),
)
def default(value: Any, fallback: Any) -> Any:
    """`value`, or `fallback` when `value` is `null` or empty text (`0` and `false` are kept)."""
    return fallback if value is None or value == "" else value


_MATCH_MODES = {
    "exact": str.__eq__,
    "prefix": str.startswith,
    "suffix": str.endswith,
    "contains": str.__contains__,
}


@mapping_function(
    "string|number|null",
    "array|string",
    "string?",
    examples=(
        ("matches(shipping_code, ['pickup.', 'FREE.'], 'prefix')", False),
        ("matches('SAMPLE-KIT', ['sample'], 'contains')", True),
    ),
)
def matches(value: str | float | None, patterns: list[Any] | str, mode: str = "exact") -> bool:
    """Whether `value` matches any of `patterns`, ignoring case, for order and item filters.

    `mode` is `exact` (the default), `prefix`, `suffix` or `contains`. `null` matches nothing.
    """
    test = _MATCH_MODES.get(mode)
    if test is None:
        raise MappingError(f"matches(): mode must be one of {', '.join(_MATCH_MODES)}, got '{mode}'")
    if value is None:
        return False
    text = as_text(value).casefold()
    candidates = [patterns] if isinstance(patterns, str) else patterns
    return any(test(text, as_text(pattern).casefold()) for pattern in candidates if pattern is not None)


@mapping_function("string|null", "string", examples=(("remove_prefix('OC-10045', 'OC-')", "10045"),))
def remove_prefix(text: str | None, prefix: str) -> str | None:
    """`text` without `prefix` at its start (unchanged when it does not start with it)."""
    return None if text is None else text.removeprefix(prefix)


@mapping_function(
    "string|null",
    "array|null",
    examples=(
        (
            "format_each('https://track.example/{0}', ['1Z9', '1Z8'])",
            ["https://track.example/1Z9", "https://track.example/1Z8"],
        ),
    ),
)
def format_each(template: str | None, values: list[Any] | None) -> list[str] | None:
    """`template` filled with each of `values` in turn (`{0}` is the value): one text per value.

    An empty or null template gives an empty list, e.g. a carrier without a tracking URL.
    """
    if values is None:
        return None
    if not template:
        return []
    return [format_text(template, [value]) for value in values]


FUNCTIONS = (
    format_text,
    concat,
    upper,
    lower,
    trim,
    replace,
    split,
    truncate,
    default,
    matches,
    remove_prefix,
    format_each,
)
