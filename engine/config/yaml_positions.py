"""Reads YAML while remembering the file, line and column of every value.

Built on PyYAML's node tree. Mapping keys are always kept as text (`yes:` stays "yes").
Strings have `${VAR}` / `${VAR:-default}` replaced (see `engine.config.env_vars`); a value that
is exactly one unquoted reference takes the JSON type of what it expands to (`${PORT}` with
PORT=8080 gives the number 8080; `"${PORT}"` stays text). Secret settings are registered for
masking by the connections loader, by key (a URL or a user name from the environment is not a
secret, and masking it would hide what a message is about).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from cartsync.engine.config.env_vars import interpolate
from cartsync.engine.config.issues import issue
from cartsync.engine.config.model import ConfigIssue, JsonPath, Position

_TAG = "tag:yaml.org,2002:"
_CONSTRUCTED_TAGS = {_TAG + name for name in ("null", "bool", "int", "float")}
_TEXT_TAGS = {_TAG + "str", _TAG + "timestamp"}
_FLOW_VARIABLE_HINT = "inside `{...}` or `[...]`, quote values that use variables: '${VAR}'"


@dataclass
class LocatedDocument:
    """Parsed YAML data plus where each value (and each mapping key) was written."""

    data: Any
    values: dict[JsonPath, Position] = field(default_factory=dict)
    keys: dict[JsonPath, Position] = field(default_factory=dict)
    # first character of one-line strings whose text maps 1:1 to the file (for columns inside them)
    text_starts: dict[JsonPath, Position] = field(default_factory=dict)
    # values with a missing variable, already reported: later checks leave them alone
    unresolved: set[JsonPath] = field(default_factory=set)
    file: Path | None = None

    def value_position(self, path: JsonPath) -> Position:
        """The position of `path`, or of its nearest ancestor that has one."""
        while path and path not in self.values:
            path = path[:-1]
        return self.values.get(path, Position(self.file or Path("?"), 1, 1))

    def key_position(self, path: JsonPath) -> Position:
        """Where the key naming `path` is written (falls back to the value)."""
        return self.keys.get(path) or self.value_position(path)

    def position_in_text(self, path: JsonPath, offset: int | None) -> Position:
        """The position of character `offset` of the string at `path`, when it can be known."""
        start = self.text_starts.get(path)
        if start is None or offset is None:
            return self.value_position(path)
        return Position(start.file, start.line, start.column + offset)


def read_yaml(path: Path, env: Mapping[str, str]) -> tuple[LocatedDocument | None, list[ConfigIssue]]:
    """Parse one YAML file. None when it cannot be read or parsed (the issues say why)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        return None, [issue(Position(path, 1, 1), (), f"cannot read the file: {reason}")]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = Position(path, mark.line + 1, mark.column + 1) if mark else Position(path, 1, 1)
        problem = " ".join(part for part in (error.context, error.problem) if part)
        line = text.splitlines()[position.line - 1] if position.line <= len(text.splitlines()) else ""
        hint = _FLOW_VARIABLE_HINT if "${" in line else None
        return None, [issue(position, (), f"invalid YAML: {problem}", hint)]
    builder = _Builder(path, env)
    document = LocatedDocument(None, file=path)
    if root is not None:
        document.data = builder.build(root, ())
        document.values, document.keys = builder.values, builder.keys
        document.text_starts = builder.text_starts
        document.unresolved = builder.unresolved
    return document, builder.issues


class _Builder:
    def __init__(self, path: Path, env: Mapping[str, str]) -> None:
        self.path = path
        self.env = env
        self.issues: list[ConfigIssue] = []
        self.values: dict[JsonPath, Position] = {}
        self.keys: dict[JsonPath, Position] = {}
        self.text_starts: dict[JsonPath, Position] = {}
        self.unresolved: set[JsonPath] = set()
        self.constructor = yaml.SafeLoader("")

    def position(self, mark: yaml.Mark, extra_columns: int = 0) -> Position:
        return Position(self.path, mark.line + 1, mark.column + 1 + extra_columns)

    def build(self, node: Node, path: JsonPath) -> Any:
        self.values[path] = self.position(node.start_mark)
        if isinstance(node, MappingNode):
            return self.build_mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self.build_scalar(node, path)

    def build_mapping(self, node: MappingNode, path: JsonPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_position = self.position(key_node.start_mark)
            if not isinstance(key_node, ScalarNode):
                self.issues.append(issue(key_position, path, "a key must be plain text"))
                continue
            key = key_node.value
            child = (*path, key)
            if key in result:
                first = self.keys[child]
                self.issues.append(
                    issue(key_position, child, f"duplicate key `{key}` (first written at line {first.line})")
                )
                continue
            self.keys[child] = key_position
            result[key] = self.build(value_node, child)
        return result

    def build_scalar(self, node: ScalarNode, path: JsonPath) -> Any:
        if node.tag in _CONSTRUCTED_TAGS:
            return self.constructor.construct_object(node)
        if node.tag not in _TEXT_TAGS:
            self.issues.append(
                issue(self.position(node.start_mark), path, f"unsupported YAML tag `{node.tag}`")
            )
            return node.value
        quote = 1 if node.style in ("'", '"') else 0
        raw_length = node.end_mark.index - node.start_mark.index
        if node.style in (None, "'", '"') and raw_length == len(node.value) + 2 * quote:
            self.text_starts[path] = self.position(node.start_mark, quote)
        if "$" not in node.value:
            return node.value
        return self.interpolate(node, path)

    def interpolate(self, node: ScalarNode, path: JsonPath) -> Any:
        result = interpolate(node.value, self.env)
        start = self.text_starts.pop(path, None)

        def at(offset: int) -> Position:
            if start is None:
                return self.position(node.start_mark)
            return Position(start.file, start.line, start.column + offset)

        if result.missing:
            self.unresolved.add(path)
        for name, offset in result.missing:
            self.issues.append(
                issue(
                    at(offset),
                    path,
                    f"environment variable `{name}` is not set",
                    hint=f"set it, or give a default: ${{{name}:-value}}",
                )
            )
        for offset in result.malformed:
            self.issues.append(
                issue(at(offset), path, "malformed variable reference; expected ${NAME} or ${NAME:-default}")
            )
        if result.whole and node.style is None:
            return _json_scalar(result.text)
        return result.text


def _json_scalar(text: str) -> Any:
    """`text` as a JSON number, true, false or null when it is one; otherwise the text itself."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, int | float | bool) or value is None else text
