"""Building a nested output record from a `map:` spec whose text leaves are expressions.

The spec is walked once, when compiled, into two flat step lists: the containers to create and
the leaves to fill, each addressed by the index of its parent container. `apply()` runs those
steps; it neither parses nor inspects the spec per record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cartsync.engine.mapping.errors import ExpressionSyntaxError, JsonPath, MappingError

Search = Callable[[Any], Any]


def _field_name(path: JsonPath) -> str:
    """`("shipTo", "name")` -> `shipTo.name`; `("orderItems", 0, "qty")` -> `orderItems[0].qty`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _constant(value: Any) -> Search:
    return lambda _record: value


class Mapper:
    """`apply(record)` builds the output structure; MappingError names the failing output field."""

    def __init__(self, spec: Any, compile_text: Callable[[str], Any]):
        # (parent index, key, new empty container) in creation order; the root is index 0.
        self._containers: list[tuple[int, str | int, Callable[[], Any]]] = []
        # (parent index, key, search, field name); the root leaf, if the spec is one text, has parent -1.
        self._leaves: list[tuple[int, str | int, Search, str]] = []
        self._root_factory = self._plan(spec, compile_text)

    def _plan(self, spec: Any, compile_text: Callable[[str], Any]) -> Callable[[], Any] | None:
        if isinstance(spec, dict | list):
            self._walk(spec, 0, (), compile_text)
            return _factory(spec)
        self._add_leaf(-1, "", spec, (), compile_text)
        return None

    def _walk(
        self, spec: dict | list, index: int, path: JsonPath, compile_text: Callable[[str], Any]
    ) -> None:
        items = spec.items() if isinstance(spec, dict) else enumerate(spec)
        for key, child in items:
            child_path = (*path, key)
            if isinstance(child, dict | list):
                self._containers.append((index, key, _factory(child)))
                self._walk(child, len(self._containers), child_path, compile_text)
            else:
                self._add_leaf(index, key, child, child_path, compile_text)

    def _add_leaf(
        self, parent: int, key: str | int, leaf: Any, path: JsonPath, compile_text: Callable[[str], Any]
    ) -> None:
        if isinstance(leaf, str):
            try:
                search = compile_text(leaf).search
            except ExpressionSyntaxError as error:
                error.path = path
                raise
        else:
            search = _constant(leaf)
        self._leaves.append((parent, key, search, _field_name(path)))

    def apply(self, record: Any) -> Any:
        if self._root_factory is None:
            _, _, search, _ = self._leaves[0]
            return search(record)
        nodes = [self._root_factory()]
        for parent, key, factory in self._containers:
            node = factory()
            nodes[parent][key] = node
            nodes.append(node)
        for parent, key, search, field in self._leaves:
            try:
                nodes[parent][key] = search(record)
            except MappingError as error:
                raise error.at(field) from None
        return nodes[0]


def _factory(spec: dict | list) -> Callable[[], Any]:
    """A maker of the empty container for `spec`: a dict, or a list with one slot per item."""
    if isinstance(spec, dict):
        keys = tuple(spec)  # created in the spec's order, whatever order the leaves fill them in
        return lambda: dict.fromkeys(keys)
    size = len(spec)
    return lambda: [None] * size
