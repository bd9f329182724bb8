"""Building a nested output record from a `map:` spec whose text leaves are expressions.

The spec is turned once, when compiled, into one Python function that evaluates each leaf in
the spec's order and returns the output as a literal of nested dicts and lists. With the
compiler, the leaves' own statements are written into that function; otherwise it calls each
leaf's `search`. `apply()` neither parses nor walks the spec per record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cartsync.engine.mapping.compiler import Compiler
from cartsync.engine.mapping.errors import (
    EVALUATION_ERRORS,
    ExpressionSyntaxError,
    JsonPath,
    MappingError,
    describe_jmespath_error,
)
from cartsync.engine.mapping.expression import Expression
from cartsync.engine.mapping.source import Source

Search = Callable[[Any], Any]
_CALLS_ONLY = {
    "_MappingError": MappingError,
    "_EvaluationError": EVALUATION_ERRORS,
    "_describe": describe_jmespath_error,
}


def _field_name(path: JsonPath) -> str:
    """`("shipTo", "name")` -> `shipTo.name`; `("orderItems", 0, "qty")` -> `orderItems[0].qty`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class Mapper:
    """`apply(record)` builds the output structure; MappingError names the failing output field."""

    def __init__(
        self, spec: Any, compile_text: Callable[[str], Expression], compiler: Compiler | None = None
    ):
        self._compile_text = compile_text
        self.apply: Search
        if not isinstance(spec, dict | list):  # one expression: its errors name no field
            self.apply = self._expression(spec, ()).built() if isinstance(spec, str) else lambda _record: spec
            return
        if compiler is not None:
            try:
                self.apply = self._define(spec, compiler.source(), compiler)
                return
            except (SyntaxError, RecursionError, MemoryError):  # deeper than Python compiles in one function
                pass
        self.apply = self._define(spec, Source(_CALLS_ONLY), None)

    def _define(self, spec: dict | list, source: Source, compiler: Compiler | None) -> Search:
        with source.block("def apply(record):"):
            source.line(f"return {self._build(spec, (), source, compiler)}")
        return source.define("apply", "<map>")

    def _build(self, spec: Any, path: JsonPath, source: Source, compiler: Compiler | None) -> str:
        """Writes the evaluation of `spec`'s leaves; returns the Python literal of the output."""
        if isinstance(spec, dict):
            parts = [
                f"{key!r}: {self._build(child, (*path, key), source, compiler)}"
                for key, child in spec.items()
            ]
            return "{" + ", ".join(parts) + "}"
        if isinstance(spec, list):
            items = [self._build(child, (*path, index), source, compiler) for index, child in enumerate(spec)]
            return "[" + "".join(f"{item}, " for item in items) + "]"
        if not isinstance(spec, str):
            return source.constant(spec)
        expression = self._expression(spec, path)
        value = source.name("v")
        field = repr(_field_name(path))
        with source.block("try:"):
            if compiler is None:
                source.line(f"{value} = {source.constant(expression.built())}(record)")
            else:
                source.line(f"{value} = {compiler.write_value(source, expression.node, 'record', spec)}")
        with source.block("except _MappingError as error:"):
            source.line(f"raise error.at({field}) from None")
        with source.block("except _EvaluationError as error:"):
            source.line(f"raise _MappingError(_describe(error), {field}) from None")
        return value

    def _expression(self, text: str, path: JsonPath) -> Expression:
        try:
            return self._compile_text(text)
        except ExpressionSyntaxError as error:
            error.path = path
            raise
