"""The jmespath library's rules, as the compiled expressions call them.

Compiled code tests the common JSON types inline (`type(x) is dict`) and calls these for the
rest, so that a value of any other type gets exactly the library's answer. Each function names
the `TreeInterpreter` method (jmespath 1.x, `jmespath/visitor.py`) whose rule it repeats;
where the library has a module-level function, it is used as is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jmespath.visitor import _Expression, _is_actual_number, _is_comparable

MISSING: Any = object()  # what `values_of` gives for a value that has no values

# Types whose truth, equality and negation are Python's own (none is a number or a boolean).
NOT_NUMBERS = frozenset({str, list, dict, type(None)})
NUMBERS_AND_TEXT = frozenset({int, float, str})  # the types ordering comparisons accept as they are
EMPTY_IS_FALSE = frozenset({str, list, dict})  # false exactly when empty
NUMBERS_AND_BOOLEANS = frozenset({int, float, bool})  # false only as `false`


def field(value: Any, name: str) -> Any:
    """visit_field."""
    try:
        return value.get(name)
    except AttributeError:
        return None


def index(value: Any, position: int) -> Any:
    """visit_index."""
    if not isinstance(value, list):
        return None
    try:
        return value[position]
    except IndexError:
        return None


def values_of(value: Any) -> Any:
    """The base of visit_value_projection: `value.values()`, or MISSING."""
    try:
        return value.values()
    except AttributeError:
        return MISSING


def is_false(value: Any) -> bool:
    """_is_false: empty text, array and object, null and false are false."""
    return value == "" or value == [] or value == {} or value is None or value is False


def negate(value: Any) -> bool:
    """visit_not_expression: `!0` is false, as 0 is true in JMESPath."""
    if _is_actual_number(value) and value == 0:
        return False
    return not value


def ordered(compare: Callable[[Any, Any], bool], left: Any, right: Any) -> bool | None:
    """visit_comparator for <, <=, >, >=: null unless both sides are numbers or text."""
    if not (_is_comparable(left) and _is_comparable(right)):
        return None
    return compare(left, right)


def all_of(items: list[Any], types: frozenset[type]) -> bool:
    """Whether every item is exactly of one of `types` (a fast pass before the library's own check)."""
    for item in items:  # noqa: SIM110 (a loop is faster than all() over a generator)
        if type(item) not in types:
            return False
    return True


class CompiledExpression(_Expression):
    """An `&expression` argument whose body is compiled.

    Functions such as `sort_by` call `expref.visit(expref.expression, element)`; that call runs
    the compiled body. The library checks argument types by class name, so this class carries
    the name of the library's own.
    """

    search: Callable[[Any], Any]

    def visit(self, node: Any, *args: Any, **kwargs: Any) -> Any:
        if node is self.expression and len(args) == 1 and not kwargs:
            return self.search(args[0])
        return self.interpreter.visit(node, *args, **kwargs)

    def __repr__(self) -> str:  # as the library's shows in messages and to_string()
        return f"<{_Expression.__module__}.{_Expression.__qualname__} object at {id(self):#x}>"


CompiledExpression.__name__ = _Expression.__name__  # the library types an expref by its class name
