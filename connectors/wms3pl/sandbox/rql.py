"""RQL (FIQL) filters as the WMS understands them.

Grammar: `;` is AND and binds tighter than `,` (OR); parentheses group. A comparison is
`property OP value` with OP one of `==`, `!=`, `=gt=`, `=ge=`, `=lt=`, `=le=`, `=in=(a,b)`,
`=out=(a,b)`. Property names are dot-nested and case-insensitive. Values may be quoted with
single or double quotes. Each literal is compared as the type of the stored value (bool, number,
date/time, or case-insensitive text), as the WMS's database does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

OPERATORS = ("==", "!=", "=gt=", "=ge=", "=lt=", "=le=", "=in=", "=out=")
_SELECTOR = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")

Predicate = Callable[[Mapping[str, Any]], bool]


class RqlError(ValueError):
    """A filter that cannot be parsed, or names properties the resource does not have."""

    def __init__(self, message: str, unsupported: list[str] | None = None) -> None:
        super().__init__(message)
        self.unsupported = unsupported or []


@dataclass(frozen=True)
class Comparison:
    path: tuple[str, ...]  # lower-cased segments
    operator: str
    values: tuple[str, ...]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def parse(self) -> Any:
        node = self._or()
        if self.pos != len(self.text):
            raise RqlError(f"unexpected {self.text[self.pos:]!r} at position {self.pos}")
        return node

    def _peek(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def _or(self) -> Any:
        nodes = [self._and()]
        while self._peek(","):
            self.pos += 1
            nodes.append(self._and())
        return ("or", nodes) if len(nodes) > 1 else nodes[0]

    def _and(self) -> Any:
        nodes = [self._term()]
        while self._peek(";"):
            self.pos += 1
            nodes.append(self._term())
        return ("and", nodes) if len(nodes) > 1 else nodes[0]

    def _term(self) -> Any:
        if self._peek("("):
            self.pos += 1
            node = self._or()
            if not self._peek(")"):
                raise RqlError(f"missing ')' at position {self.pos}")
            self.pos += 1
            return node
        match = _SELECTOR.match(self.text, self.pos)
        if not match:
            raise RqlError(f"expected a property name at position {self.pos}")
        self.pos = match.end()
        operator = next((op for op in OPERATORS if self._peek(op)), None)
        if operator is None:
            raise RqlError(f"expected an operator after {match.group()!r} at position {self.pos}")
        self.pos += len(operator)
        values = self._list() if operator in ("=in=", "=out=") else (self._value(),)
        return Comparison(tuple(match.group().lower().split(".")), operator, values)

    def _list(self) -> tuple[str, ...]:
        if not self._peek("("):
            raise RqlError(f"expected '(' at position {self.pos}")
        self.pos += 1
        values = [self._value()]
        while self._peek(","):
            self.pos += 1
            values.append(self._value())
        if not self._peek(")"):
            raise RqlError(f"missing ')' at position {self.pos}")
        self.pos += 1
        return tuple(values)

    def _value(self) -> str:
        if self.pos < len(self.text) and self.text[self.pos] in "'\"":
            quote = self.text[self.pos]
            end = self.pos + 1
            chars: list[str] = []
            while end < len(self.text) and self.text[end] != quote:
                if self.text[end] == "\\" and end + 1 < len(self.text):
                    end += 1
                chars.append(self.text[end])
                end += 1
            if end >= len(self.text):
                raise RqlError(f"unterminated quoted value at position {self.pos}")
            self.pos = end + 1
            return "".join(chars)
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ";,()":
            self.pos += 1
        if self.pos == start:
            raise RqlError(f"expected a value at position {start}")
        return self.text[start:self.pos]


def _comparisons(node: Any) -> Iterable[Comparison]:
    if isinstance(node, Comparison):
        yield node
    else:
        for child in node[1]:
            yield from _comparisons(child)


def lookup(document: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at a lower-cased dotted path, matching keys case-insensitively."""
    value: Any = document
    for segment in path:
        if not isinstance(value, Mapping):
            return None
        value = next((v for k, v in value.items() if k.lower() == segment), None)
    return value


def _coerce(literal: str, like: Any) -> Any:
    if isinstance(like, bool):
        return literal.strip().lower() == "true"
    if isinstance(like, int | float):
        return float(literal)
    if isinstance(like, str) and _DATE.match(like) and _DATE.match(literal):
        return _as_datetime(literal)
    return literal.lower()


def _as_datetime(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=None)


def _comparable(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return _as_datetime(value) if _DATE.match(value) else value.lower()
    return value


def _test(comparison: Comparison, document: Mapping[str, Any]) -> bool:
    stored = lookup(document, comparison.path)
    if stored is None:
        literals = [v.lower() for v in comparison.values]
        if comparison.operator == "==":
            return literals[0] == "null"
        if comparison.operator == "!=":
            return literals[0] != "null"
        return comparison.operator == "=out="
    try:
        wanted = [_coerce(v, stored) for v in comparison.values]
    except ValueError:
        return comparison.operator in ("!=", "=out=")
    value = _comparable(stored)
    operator = comparison.operator
    if operator == "==":
        return value == wanted[0]
    if operator == "!=":
        return value != wanted[0]
    if operator == "=in=":
        return value in wanted
    if operator == "=out=":
        return value not in wanted
    try:
        return {
            "=gt=": value > wanted[0], "=ge=": value >= wanted[0],
            "=lt=": value < wanted[0], "=le=": value <= wanted[0],
        }[operator]
    except TypeError:
        return False


def _evaluate(node: Any, document: Mapping[str, Any]) -> bool:
    if isinstance(node, Comparison):
        return _test(node, document)
    kind, children = node
    results = (_evaluate(child, document) for child in children)
    return all(results) if kind == "and" else any(results)


def compile_rql(text: str, supported: frozenset[str]) -> Predicate:
    """A predicate for `text`; raises RqlError when it cannot be parsed or names properties
    outside `supported` (lower-cased dotted paths)."""
    if not text.strip():
        return lambda document: True
    tree = _Parser(text.strip()).parse()
    unsupported = sorted({".".join(c.path) for c in _comparisons(tree)} - supported)
    if unsupported:
        raise RqlError("Properties not supported: " + ", ".join(unsupported), unsupported)
    return lambda document: _evaluate(tree, document)


def required_values(text: str, path: str) -> set[str] | None:
    """The values (lower-cased) the property `path` (lower-cased, dotted) must have for a document
    to match `text`, when the filter requires one of them at its top level (`path==v` or
    `path=in=(a,b)`, alone or in an AND); None when it does not. An index lookup narrows the
    documents to test to the ones with these values. `text` must already compile."""
    if not text.strip():
        return None
    tree = _Parser(text.strip()).parse()
    terms = tree[1] if isinstance(tree, tuple) and tree[0] == "and" else [tree]
    wanted = tuple(path.split("."))
    for term in terms:
        if isinstance(term, Comparison) and term.path == wanted and term.operator in ("==", "=in="):
            return {value.lower() for value in term.values}
    return None


def supported_paths(template: Mapping[str, Any], prefix: str = "") -> frozenset[str]:
    """Every lower-cased dotted path to a leaf of `template` (the resource's fields)."""
    paths: set[str] = set()
    for key, value in template.items():
        path = f"{prefix}{key.lower()}"
        if isinstance(value, Mapping):
            paths |= supported_paths(value, path + ".")
        else:
            paths.add(path)
    return frozenset(paths)
