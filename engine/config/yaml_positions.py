"""Reads YAML while remembering the file, line and column of every value.

Built on PyYAML's node tree. Mapping keys are always kept as text (`yes:` stays "yes").
Strings have `${VAR}` / `${VAR:-default}` replaced (see `engine.config.env_vars`); a value that
is exactly one unquoted reference takes the JSON type of what it expands to (`${PORT}` with
PORT=8080 gives the number 8080; `"${PORT}"` stays text). Secret settings are registered for
masking by the connections loader, by key (a URL or a user name from the environment is not a
secret, and masking it would hide what a message is about).

A file is refused, with its reason, when it is too large, not UTF-8, nested too deeply, or
when its aliases would copy too much (`engine.config.limits`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from cartsync.engine.config.env_vars import Environment, scan
from cartsync.engine.config.issues import issue
from cartsync.engine.config.limits import MAX_ALIAS_VALUES, MAX_DEPTH, MAX_FILE_BYTES, size_text
from cartsync.engine.config.model import ConfigIssue, JsonPath, Position
from cartsync.engine.config.secret_keys import looks_secret

_TAG = "tag:yaml.org,2002:"
_CONSTRUCTED_TAGS = {_TAG + name for name in ("null", "bool", "int", "float")}
_TEXT_TAGS = {_TAG + "str", _TAG + "timestamp"}
_COLLECTION_TAGS = {MappingNode: _TAG + "map", SequenceNode: _TAG + "seq"}
_FLOW_VARIABLE_HINT = "inside `{...}` or `[...]`, quote values that use variables: '${VAR}'"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: ten times faster
_TAB_HINT = "YAML does not allow tabs here (indentation is spaces only): replace the tab with spaces"


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
    # values that take a variable's value from the environment (a default written here does not count)
    from_env: set[JsonPath] = field(default_factory=set)
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


def read_yaml(
    path: Path, env: Mapping[str, str] | Environment, max_bytes: int = MAX_FILE_BYTES
) -> tuple[LocatedDocument | None, list[ConfigIssue]]:
    """Parse one YAML file. None when it cannot be read or parsed (the issues say why)."""
    text, problem = read_text(path, max_bytes)
    if problem is not None:
        return None, [problem]
    try:
        _check_structure(text)
        root = yaml.compose(text, Loader=_LOADER)
    except _Refused as refused:
        return None, [issue(_at(path, refused.mark), (), refused.message, refused.hint)]
    except yaml.MarkedYAMLError as error:
        return None, [_syntax_issue(path, text, error)]
    except yaml.reader.ReaderError as error:
        where = _position_of_offset(path, text, error.position)
        message = f"the file holds the control character #x{ord(text[error.position]):04x}"
        hint = "YAML does not allow it: remove it, or write it as an escape inside double quotes"
        return None, [issue(where, (), message, hint)]
    builder = _Builder(path, Environment.of(env))
    document = LocatedDocument(None, file=path)
    if root is not None:
        document.data = builder.build(root, ())
        document.values, document.keys = builder.values, builder.keys
        document.text_starts = builder.text_starts
        document.unresolved = builder.unresolved
        document.from_env = builder.from_env
    return document, builder.issues


def read_text(path: Path, max_bytes: int) -> tuple[str, ConfigIssue | None]:
    """The file's text, or the reason it cannot be used."""
    start = Position(path, 1, 1)
    if path.is_dir():
        return "", issue(start, (), "this is a folder, not a file", "give the path of a file")
    if path.exists() and not path.is_file():
        return "", issue(start, (), "this is not a regular file", "give the path of a file")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        return "", issue(start, (), f"cannot read the file: {error.strerror}")
    if len(data) > max_bytes:
        message = f"the file is larger than {size_text(max_bytes)}, the most cartsync reads from such a file"
        return "", issue(start, (), message, "is this the right file?")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        message = f"the file is not UTF-8 text (byte 0x{data[error.start]:02X})"
        return "", issue(Position(path, line, column), (), message, "save the file as UTF-8")


def _syntax_issue(path: Path, text: str, error: yaml.MarkedYAMLError) -> ConfigIssue:
    mark = error.problem_mark or error.context_mark
    position = _at(path, mark)
    problem = " ".join(part for part in (error.context, error.problem) if part)
    lines = text.splitlines()
    line = lines[position.line - 1] if position.line <= len(lines) else ""
    at_tab = line[position.column - 1 : position.column] == "\t"
    if at_tab or "\t" in line[: len(line) - len(line.lstrip())]:
        hint: str | None = _TAB_HINT
    else:
        hint = _FLOW_VARIABLE_HINT if "${" in line else None
    return issue(position, (), f"invalid YAML: {problem}", hint)


def _at(path: Path, mark: yaml.Mark | None) -> Position:
    return Position(path, mark.line + 1, mark.column + 1) if mark else Position(path, 1, 1)


def _position_of_offset(path: Path, text: str, offset: int) -> Position:
    before = text[:offset]
    return Position(path, before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1)


class _Refused(Exception):
    def __init__(self, mark: yaml.Mark, message: str, hint: str) -> None:
        super().__init__(message)
        self.mark, self.message, self.hint = mark, message, hint


def _check_structure(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH and aliases that would copy too much, from the parser's
    events, before anything is built.

    Each anchor's size counts what the aliases inside it expand to, so a chain of aliases that
    doubles at every step (an "alias bomb") is refused after a few steps, however small the file.
    """
    sizes: dict[str, int] = {}  # anchor -> values it holds, aliases expanded
    open_collections: list[tuple[str | None, int]] = []  # (anchor, values counted before it)
    counted = added_by_aliases = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, AliasEvent):
            size = sizes.get(event.anchor)
            if size is None and any(anchor == event.anchor for anchor, _ in open_collections):
                raise _Refused(
                    event.start_mark,
                    f"the alias *{event.anchor} is inside the value it names, which never ends",
                    "an alias can only repeat a value that is complete before it",
                )
            counted += size or 0
            added_by_aliases += size or 0
            if added_by_aliases > MAX_ALIAS_VALUES:
                raise _Refused(
                    event.start_mark,
                    f"YAML aliases here expand to more than {MAX_ALIAS_VALUES:,} values",
                    "write the values out, or repeat smaller anchors (&name / *name)",
                )
        elif isinstance(event, ScalarEvent):
            counted += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, CollectionStartEvent):
            counted += 1
            open_collections.append((event.anchor, counted - 1))
            if len(open_collections) > MAX_DEPTH:
                raise _Refused(
                    event.start_mark,
                    f"the values are nested more than {MAX_DEPTH} levels deep",
                    "flatten the structure; cartsync files need only a few levels",
                )
        elif isinstance(event, CollectionEndEvent):
            anchor, before = open_collections.pop()
            if anchor:
                sizes[anchor] = counted - before


class _Builder:
    def __init__(self, path: Path, env: Environment) -> None:
        self.path = path
        self.env = env
        self.issues: list[ConfigIssue] = []
        self.values: dict[JsonPath, Position] = {}
        self.keys: dict[JsonPath, Position] = {}
        self.text_starts: dict[JsonPath, Position] = {}
        self.unresolved: set[JsonPath] = set()
        self.from_env: set[JsonPath] = set()
        self.constructor = yaml.SafeLoader("")

    def position(self, mark: yaml.Mark, extra_columns: int = 0) -> Position:
        return Position(self.path, mark.line + 1, mark.column + 1 + extra_columns)

    def build(self, node: Node, path: JsonPath) -> Any:
        self.values[path] = self.position(node.start_mark)
        expected = _COLLECTION_TAGS.get(type(node))
        if expected is not None and node.tag != expected:
            self.issues.append(
                issue(self.position(node.start_mark), path, f"unsupported YAML tag `{node.tag}`")
            )
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
        if node.style in (None, "", "'", '"') and raw_length == len(node.value) + 2 * quote:
            self.text_starts[path] = self.position(node.start_mark, quote)
        if "$" not in node.value:
            return node.value
        return self.interpolate(node, path)

    def interpolate(self, node: ScalarNode, path: JsonPath) -> Any:
        scanned = scan(node.value)
        start = self.text_starts.pop(path, None)
        secret = bool(path) and looks_secret(path[-1])

        def at(offset: int) -> Position:
            if start is None:
                return self.position(node.start_mark)
            return Position(start.file, start.line, start.column + offset)

        for problem in scanned.problems:
            message = problem.message
            if secret and message.endswith("is not a variable reference"):
                message = "a `$` that does not start a ${NAME} reference"  # do not repeat a secret's text
            self.issues.append(issue(at(problem.offset), path, message, problem.hint if not secret else None))
        text: list[str] = []
        for part in scanned.parts:
            if isinstance(part, str):
                text.append(part)
                continue
            if part.default is None or self.env.provides(part.name):
                self.from_env.add(path)
            value = self.env.value(part)
            if value is None:
                self.unresolved.add(path)
                missing = self.env.missing_message(part.name)
                if missing is not None:
                    self.issues.append(issue(at(part.offset), path, missing[0], missing[1]))
                continue
            text.append(value)
        if scanned.problems:
            self.unresolved.add(path)
        result = "".join(text)
        if scanned.whole and not node.style:  # plain, not quoted
            return _json_scalar(result)
        return result


def _json_scalar(text: str) -> Any:
    """`text` as a JSON number, true, false or null when it is one; otherwise the text itself."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, int | float | bool) or value is None else text
