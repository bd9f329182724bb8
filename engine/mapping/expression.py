"""A compiled expression: parsed once, evaluated per record without parsing or interpreter set-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Search = Callable[[Any], Any]


class Expression:
    """`search(data)` evaluates the expression; it raises MappingError when a record cannot be mapped."""

    __slots__ = ("node", "search", "text")

    def __init__(self, text: str, node: dict[str, Any], search: Search):
        self.text = text
        self.node = node  # the syntax tree jmespath's parser built
        self.search = search

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"
