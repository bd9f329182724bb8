"""Compiling JMESPath syntax trees to Python functions with the jmespath library's semantics.

Each node of the tree the parser builds (`jmespath.ast`) becomes a few Python statements (see
`translator`): a field is a `dict.get`, a projection a `for` loop, a function call a direct call
after the same argument checks the interpreter makes. What the library decides by a rule of
its own (truth, equality, ordering, a field of a non-object) is tested inline for the JSON types
and handed to `semantics` for any other type, so every value gets the library's answer.

A node type the compiler does not know is evaluated by the interpreter in place, and counted in
`Compiler.fallbacks`; an expression nested deeper than Python compiles is interpreted whole.
Either way the result is the interpreter's.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from jmespath.visitor import TreeInterpreter, _equals

from cartsync.engine.mapping import semantics
from cartsync.engine.mapping.dispatch import FunctionTable
from cartsync.engine.mapping.errors import EVALUATION_ERRORS, MappingError, describe_jmespath_error
from cartsync.engine.mapping.evaluators import interpreted_search
from cartsync.engine.mapping.source import Source
from cartsync.engine.mapping.translator import Translator

Node = dict[str, Any]
Search = Callable[[Any], Any]

_log = logging.getLogger(__name__)

# The names generated code reads (see `translator` and `calls_written`).
_RUNTIME: dict[str, Any] = {
    "_field": semantics.field,
    "_index": semantics.index,
    "_values": semantics.values_of,
    "_MISSING": semantics.MISSING,
    "_is_false": semantics.is_false,
    "_negate": semantics.negate,
    "_ordered": semantics.ordered,
    "_all_of": semantics.all_of,
    "_equals": _equals,
    "_EMPTY_IS_FALSE": semantics.EMPTY_IS_FALSE,
    "_NUMBERS_AND_BOOLEANS": semantics.NUMBERS_AND_BOOLEANS,
    "_NOT_NUMBERS": semantics.NOT_NUMBERS,
    "_NOT_NUMBERS_OR_BOOLEANS": semantics.NOT_NUMBERS | {bool},
    "_NUMBERS_AND_TEXT": semantics.NUMBERS_AND_TEXT,
    "_EvaluationError": EVALUATION_ERRORS,
    "_MappingError": MappingError,
    "_describe": describe_jmespath_error,
}


class Compiler:
    """Turns parsed expressions into Python functions that call `table`'s functions.

    `interpreter` evaluates what is not compiled; it must call functions through `table`.
    """

    def __init__(self, interpreter: TreeInterpreter, table: FunctionTable):
        self.interpreter = interpreter
        self.table = table
        self.fallbacks: Counter[str] = Counter()  # node types left to the interpreter
        self._namespace = {
            **_RUNTIME,
            "_visit": interpreter.visit,
            "_library": table,
            "_call": table.call_function,
        }

    def search_function(self, node: Node, text: str) -> Search:
        """`search(data)`: the expression's value; MappingError for what the library raises as its own."""
        source = self.source()
        try:
            name = Translator(self, source, text).function(node, convert_errors=True)
            return source.define(name, f"<expression {text!r}>")
        except (SyntaxError, RecursionError, MemoryError):  # nested deeper than Python compiles
            self.fell_back("expression", text)
            return interpreted_search(node, self.interpreter)

    def source(self) -> Source:
        """A new module whose functions may hold compiled expressions (see `write_value`)."""
        return Source(self._namespace)

    def write_value(self, source: Source, node: Node, current: str, text: str) -> str:
        """Writes the statements evaluating `node` on the variable `current` into a function of `source`.

        Returns the name that holds the value. The statements raise the library's own errors
        (JMESPathError), not MappingError.
        """
        return Translator(self, source, text).value(node, current)

    def fell_back(self, node_type: str, text: str) -> None:
        self.fallbacks[node_type] += 1
        _log.debug("interpreting %s in expression %r: not compiled", node_type, text)
