"""Running an expression both ways, compiled and interpreted, and comparing what comes out.

An outcome is the value in a form where `1`, `1.0` and `true` differ and NaN equals NaN, or the
error's class, message and output field. Compiled and interpreted must give equal outcomes.
"""

from __future__ import annotations

import re
from typing import Any

from jmespath.visitor import _Expression

from cartsync.engine.mapping import ExpressionSyntaxError, MappingContext, MappingError
from cartsync.engine.mapping.reference import SAMPLE_LOOKUPS, SAMPLE_NOW, SAMPLE_SETTINGS


def sample_contexts(**options: Any) -> tuple[MappingContext, MappingContext]:
    """(compiled, interpreted) contexts with the function reference's lookups, settings and clock."""
    options = {"lookups": SAMPLE_LOOKUPS, "settings": SAMPLE_SETTINGS, "now": lambda: SAMPLE_NOW, **options}
    return MappingContext(evaluator="compiled", **options), MappingContext(evaluator="interpreted", **options)


# How Python shows an object without a repr of its own, e.g. an `&expression` in a message.
_OBJECT = re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>")


def canonical(value: Any) -> Any:
    """`value` with every type spelled out, so that equal outcomes are equal in type too."""
    if isinstance(value, dict):
        return ("object", tuple((key, canonical(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("array", tuple(canonical(item) for item in value))
    if isinstance(value, _Expression):  # compared by the expression it stands for
        return ("expref", canonical(value.expression))
    if isinstance(value, float):
        return ("float", repr(value))
    if isinstance(value, str):
        return ("str", _OBJECT.sub("<object>", value))
    return (type(value).__name__, value)


def outcome(search: Any, data: Any) -> tuple[str, Any]:
    try:
        return "value", canonical(search(data))
    except MappingError as error:
        return "error", (MappingError, canonical(error.message), error.field)
    except Exception as error:  # the library lets some Python errors through; both ways must agree
        return "error", (type(error), canonical(str(error)))


def agreed_outcome(
    text: str, data: Any, compiled: MappingContext, interpreted: MappingContext
) -> tuple[str, Any]:
    """The outcome of `text` on `data` (or its syntax error), after checking that both ways give it."""
    expected = _compiled_outcome(interpreted, text, data)
    assert _compiled_outcome(compiled, text, data) == expected, f"{text!r} on {data!r}"
    return expected


def _compiled_outcome(context: MappingContext, text: str, data: Any) -> tuple[str, Any]:
    try:
        search = context.compile(text).search
    except ExpressionSyntaxError as error:
        return "invalid", str(error)
    return outcome(search, data)
