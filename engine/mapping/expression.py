"""A compiled expression: parsed and checked once, then evaluated per record without parsing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Search = Callable[[Any], Any]


class Expression:
    """`search(data)` evaluates the expression; it raises MappingError when a record cannot be mapped.

    The search function is built on first use: an expression compiled only to be checked
    (`cartsync validate`), or written into a map's own function, never needs one.
    """

    __slots__ = ("_build", "node", "search", "text")

    def __init__(self, text: str, node: dict[str, Any], build: Callable[[], Search]):
        self.text = text
        self.node = node  # the syntax tree jmespath's parser built
        self._build: Callable[[], Search] | None = build
        self.search: Search = self._search_once_built

    def built(self) -> Search:
        """The search function, built now if it was not yet."""
        if self._build is not None:
            self.search, self._build = self._build(), None
        return self.search

    def _search_once_built(self, data: Any) -> Any:
        return self.built()(data)

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"
