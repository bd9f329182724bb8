"""A compiled expression: parsed once, evaluated per record without parsing or interpreter set-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jmespath import exceptions
from jmespath.visitor import TreeInterpreter

from cartsync.engine.mapping.errors import MappingError

Search = Callable[[Any], Any]


def _field_path(node: dict[str, Any]) -> list[str] | None:
    """The names of a plain field path (`a` or `a.b.c`), else None."""
    if node["type"] == "field":
        return [node["value"]]
    if node["type"] == "subexpression" and all(child["type"] == "field" for child in node["children"]):
        return [child["value"] for child in node["children"]]
    return None


def _field_path_search(names: list[str]) -> Search:
    """Direct dict access for a field path, with JMESPath's meaning: null when anything is missing."""

    def search(data: Any) -> Any:
        for name in names:
            try:
                data = data.get(name)
            except AttributeError:
                return None
        return data

    return search


def _describe(error: exceptions.JMESPathError) -> str:
    if isinstance(error, exceptions.JMESPathTypeError):
        return (
            f"{error.function_name}(): expected {' or '.join(error.expected_types)}, "
            f"got {error.actual_type} {error.current_value!r}"
        )
    return str(error)


def _interpreted_search(node: dict[str, Any], interpreter: TreeInterpreter) -> Search:
    visit = interpreter.visit

    def search(data: Any) -> Any:
        try:
            return visit(node, data)
        except exceptions.JMESPathError as error:
            raise MappingError(_describe(error)) from None

    return search


class Expression:
    """`search(data)` evaluates the expression; it raises MappingError when a record cannot be mapped."""

    __slots__ = ("search", "text")

    def __init__(self, text: str, node: dict[str, Any], interpreter: TreeInterpreter):
        self.text = text
        names = _field_path(node)
        self.search: Search = (
            _field_path_search(names) if names is not None else _interpreted_search(node, interpreter)
        )

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"
