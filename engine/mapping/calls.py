"""Finding the function calls in an expression, for load-time checks of names, arity and tables."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from jmespath.lexer import Lexer
from jmespath.parser import ParsedResult

from cartsync.engine.mapping.syntax import parse


class _NotLiteral:
    """Stands for a call argument that is computed from the record, not written as a literal."""

    def __repr__(self) -> str:
        return "NOT_LITERAL"


NOT_LITERAL: Any = _NotLiteral()

# A filter projection `a[?cond].b` keeps its parts as [a, b, cond]; text order is a, cond, b.
_TEXT_ORDER = {"filter_projection": (0, 2, 1)}


@dataclass(frozen=True)
class Call:
    name: str
    args: list[Any]  # each argument's literal value, or NOT_LITERAL
    offset: int | None  # where the function name starts in the expression


def _function_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The function-call nodes under `node`, in the order their names appear in the text."""
    if node["type"] == "function_expression":
        yield node
    children = node.get("children", [])
    for index in _TEXT_ORDER.get(node["type"], range(len(children))):
        child = children[index]
        if isinstance(child, dict):
            yield from _function_nodes(child)


def _name_offsets(text: str) -> list[int]:
    """Where each `name(` starts in `text`, in order."""
    tokens = list(Lexer().tokenize(text))
    return [
        token["start"]
        for token, following in pairwise(tokens)
        if token["type"] in ("unquoted_identifier", "quoted_identifier") and following["type"] == "lparen"
    ]


def calls_in(parsed: ParsedResult) -> list[Call]:
    nodes = list(_function_nodes(parsed.parsed))
    offsets: list[int | None] = list(_name_offsets(parsed.expression))
    if len(offsets) != len(nodes):
        offsets = [None] * len(nodes)
    return [
        Call(
            node["value"],
            [child["value"] if child["type"] == "literal" else NOT_LITERAL for child in node["children"]],
            offset,
        )
        for node, offset in zip(nodes, offsets, strict=True)
    ]


def function_calls(text: str) -> list[tuple[str, list[Any]]]:
    """`(name, args)` for each function call in `text`; args hold literal values or NOT_LITERAL.

    Raises ExpressionSyntaxError for bad syntax.
    """
    return [(call.name, call.args) for call in calls_in(parse(text))]
