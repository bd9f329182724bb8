"""Compiles every JMESPath expression of a pipeline at load time.

Expressions are: `key`, `filter` (or each rule's `when`), every value of `derive`, every
string leaf of `map`, and `ledger.sets_expr`. Compiling checks the syntax, function names and
argument counts, and that the tables named in `lookup('table', ...)` (and `alias`,
`reverse_alias`) are under `lookups:` and the names in `setting('name')` under `settings:`.

The other way round, a table under `lookups:` that no expression names is a mistake (often a
misspelt overlay key that leaves the real table in place), and so is a setting no expression
reads (unless `settings_schema` declares the settings: then it reports unknown ones) and a
`derive` field that no other expression reads (a misspelt overlay name adds a field instead of
changing one). Only names the file itself declares count: an overlay that stops using its
base's table, setting or field cannot remove it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cartsync.engine.config.issues import did_you_mean, issue
from cartsync.engine.config.model import ConfigIssue, JsonPath
from cartsync.engine.config.yaml_positions import LocatedDocument
from cartsync.engine.ledger_functions import RUNTIME_FUNCTIONS
from cartsync.engine.mapping import NOT_LITERAL, ExpressionSyntaxError, MappingContext
from cartsync.engine.mapping.syntax import parse


def pipeline_expressions(data: Any) -> Iterator[tuple[JsonPath, str]]:
    """(path, text) of every expression in pipeline data of any shape.

    Empty `key`, `filter` and `sets_expr` are left out: the schema check reports them.
    """
    if not isinstance(data, dict):
        return
    rules = data.get("filter")
    ledger = data.get("ledger")
    singles = [(("key",), data.get("key")), (("filter",), rules)]
    if isinstance(rules, list):
        singles += [
            (("filter", i, "when"), r.get("when")) for i, r in enumerate(rules) if isinstance(r, dict)
        ]
    if isinstance(ledger, dict):
        singles.append((("ledger", "sets_expr"), ledger.get("sets_expr")))
    for path, text in singles:
        if isinstance(text, str) and text:
            yield path, text
    yield from _leaves(data.get("derive"), ("derive",))
    yield from _leaves(data.get("map"), ("map",))


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
    context = MappingContext(
        lookups={name: {} for name in tables}, settings=settings, extra_functions=RUNTIME_FUNCTIONS
    )
    issues: list[ConfigIssue] = []
    used: dict[str, set[Any]] = {"table": set(), "setting": set()}
    fields: dict[JsonPath, set[str]] = {}  # the field names each expression reads
    for path, text in pipeline_expressions(data):
        try:
            context.compile(text)
        except ExpressionSyntaxError as error:
            where = document.position_in_text(path, error.offset)
            issues.append(issue(where, path, f"invalid expression: {error.message}"))
            continue
        for kind, name in context.names_used(text):
            used[kind].add(name)
        fields[path] = _field_names(parse(text).parsed)
    if issues:  # names in the expressions that failed are unknown: no claim about unused ones
        return issues
    issues += _unused(document, ("lookups",), tables, used["table"], "lookup table")
    if "settings_schema" not in data:
        issues += _unused(document, ("settings",), settings, used["setting"], "setting")
    derive = data.get("derive") if isinstance(data.get("derive"), dict) else {}
    return issues + _unused_derived(document, derive, fields, _texts(settings))


def _unused_derived(
    document: LocatedDocument,
    derive: dict[str, Any],
    fields: dict[JsonPath, set[str]],
    settings_texts: set[str],
) -> list[ConfigIssue]:
    """Derived fields that no other expression reads (settings may name fields too: order filters)."""
    issues = []
    for name in derive:
        path = ("derive", name)
        if _inherited(document, path):
            continue
        if name in settings_texts or any(name in names for where, names in fields.items() if where != path):
            continue
        read = {field for where, names in fields.items() if where != path for field in names}
        hint = did_you_mean(name, sorted(read - {name})) or "remove it"
        message = f"derived field `{name}` is not read by any expression"
        issues.append(issue(document.key_position(path), path, message, hint))
    return issues


def _inherited(document: LocatedDocument, path: JsonPath) -> bool:
    """Written in a file this one extends (an overlay cannot remove what its base declares)."""
    return document.key_position(path).file != document.file


def _field_names(node: Any) -> set[str]:
    """Every field name a parsed expression mentions, at any depth."""
    if not isinstance(node, dict):
        return set()
    names = {node["value"]} if node.get("type") == "field" else set()
    for child in node.get("children", []):
        names |= _field_names(child)
    return names


def _texts(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_texts(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_texts(item) for item in value))
    return set()


def _unused(
    document: LocatedDocument, where: JsonPath, declared: dict[str, Any], used: set[Any], kind: str
) -> list[ConfigIssue]:
    if NOT_LITERAL in used:  # some name is computed per record: any of them may be read
        return []
    named = sorted(name for name in used if isinstance(name, str))
    issues = []
    for name in declared:
        path = (*where, name)
        if name not in used and not _inherited(document, path):
            hint = did_you_mean(name, [n for n in named if n not in declared]) or did_you_mean(name, named)
            message = f"{kind} `{name}` is not used by any expression"
            issues.append(issue(document.key_position(path), path, message, hint or "remove it"))
    return issues
