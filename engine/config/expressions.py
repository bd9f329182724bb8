"""Compiles every JMESPath expression of a pipeline at load time.

Expressions are: `key`, `filter` (or each rule's `when`), every string leaf of `map`, and
`ledger.sets_expr`. Compiling checks the syntax, function names and argument counts, and that
the tables named in `lookup('table', ...)` are under `lookups:` and the names in
`setting('name')` under `settings:`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.config.issues import issue
from engine.config.model import ConfigIssue, JsonPath
from engine.config.yaml_positions import LocatedDocument
from engine.mapping import ExpressionSyntaxError, MappingContext


def pipeline_expressions(data: Any) -> Iterator[tuple[JsonPath, str]]:
    """(path, text) of every expression in pipeline data of any shape."""
    if not isinstance(data, dict):
        return
    if isinstance(data.get("key"), str):
        yield ("key",), data["key"]
    rules = data.get("filter")
    if isinstance(rules, str):
        yield ("filter",), rules
    elif isinstance(rules, list):
        for index, rule in enumerate(rules):
            if isinstance(rule, dict) and isinstance(rule.get("when"), str):
                yield ("filter", index, "when"), rule["when"]
    yield from _leaves(data.get("map"), ("map",))
    ledger = data.get("ledger")
    if isinstance(ledger, dict) and isinstance(ledger.get("sets_expr"), str):
        yield ("ledger", "sets_expr"), ledger["sets_expr"]


def _leaves(node: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))


def check_expressions(document: LocatedDocument) -> list[ConfigIssue]:
    data = document.data if isinstance(document.data, dict) else {}
    tables = data.get("lookups") if isinstance(data.get("lookups"), dict) else {}
    settings = data.get("settings") if isinstance(data.get("settings"), dict) else {}
    # table contents are loaded separately; only their names matter here
    context = MappingContext(lookups={name: {} for name in tables}, settings=settings)
    issues: list[ConfigIssue] = []
    for path, text in pipeline_expressions(data):
        try:
            context.compile(text)
        except ExpressionSyntaxError as error:
            where = document.position_in_text(path, error.offset)
            issues.append(issue(where, path, f"invalid expression: {error.message}"))
    return issues
