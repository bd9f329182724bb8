"""How parsed expressions run: compiled to Python (the default) or interpreted by the jmespath library.

Both give `search(data)` for a syntax tree with the same results and errors, so one can stand in
for the other without any pipeline changing; the interpreter is the reference the compiled
path is tested against.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from jmespath.visitor import TreeInterpreter

from cartsync.engine.mapping.errors import EVALUATION_ERRORS, MappingError, describe_jmespath_error

Node = dict[str, Any]
Search = Callable[[Any], Any]


class Evaluator(Protocol):
    def search_function(self, node: Node, text: str) -> Search:
        """`search(data)` for the syntax tree `node` of `text`; it raises MappingError for bad records."""
        ...


class Interpreted:
    """Evaluates each expression with the jmespath library's tree interpreter."""

    def __init__(self, interpreter: TreeInterpreter):
        self._interpreter = interpreter

    def search_function(self, node: Node, text: str) -> Search:
        return interpreted_search(node, self._interpreter)


def interpreted_search(node: Node, interpreter: TreeInterpreter) -> Search:
    """`search(data)` by the interpreter, with the library's errors turned into MappingError."""
    visit = interpreter.visit

    def search(data: Any) -> Any:
        try:
            return visit(node, data)
        except EVALUATION_ERRORS as error:
            raise MappingError(describe_jmespath_error(error)) from None

    return search
