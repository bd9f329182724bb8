"""`${VAR}` and `${VAR:-default}` references inside YAML string values.

A reference may be the whole value or part of a longer string. `$${` stands for a literal `${`
and `$$NAME` for a literal `$NAME`. Shell forms that are not references here (`$NAME`, a
default holding another reference, `${NAME-x}`) are mistakes, reported where they are written.

Where the values come from is an `Environment`: the process environment for a run, or no
values at all for `cartsync validate --no-env` (a CI job without production secrets), where a
reference without a default must instead be one of the declared names (an `.env` template).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_REFERENCE = re.compile(r"\$\{(?P<name>" + _NAME + r")(?::-(?P<default>[^}]*))?\}")
_BARE = re.compile(r"\$(?P<name>" + _NAME + ")")
_FORM = "expected ${NAME} or ${NAME:-default}"


@dataclass(frozen=True)
class Reference:
    name: str
    default: str | None
    offset: int  # where `${` starts in the source


@dataclass(frozen=True)
class SyntaxProblem:
    offset: int
    message: str
    hint: str | None = None


@dataclass
class Scanned:
    """A string split into literal text and references, with the mistakes found in it."""

    parts: list[str | Reference] = field(default_factory=list)
    problems: list[SyntaxProblem] = field(default_factory=list)

    @property
    def references(self) -> list[Reference]:
        return [part for part in self.parts if isinstance(part, Reference)]

    @property
    def whole(self) -> bool:
        """The source is exactly one reference."""
        return len(self.parts) == 1 and isinstance(self.parts[0], Reference)


def scan(source: str) -> Scanned:
    """Split `source` into text and references."""
    result = Scanned()
    text: list[str] = []
    position = 0
    while (start := source.find("$", position)) != -1:
        text.append(source[position:start])
        escaped = source.startswith("$$", start) and (
            source.startswith("{", start + 2) or _BARE.match(source, start + 1)
        )
        if escaped:
            text.append("$")
            position = start + 2
            continue
        if not source.startswith("${", start):
            bare = _BARE.match(source, start)
            if bare:
                name = bare["name"]
                hint = f"write ${{{name}}}; for the text `${name}` itself write `$${name}`"
                result.problems.append(SyntaxProblem(start, f"`${name}` is not a variable reference", hint))
            text.append("$")
            position = start + 1
            continue
        match = _REFERENCE.match(source, start)
        if match is None or "$" in (match["default"] or ""):
            result.problems.append(_malformed(source, start, match))
            text.append(source[start : _end_of_braces(source, start)])
            position = _end_of_braces(source, start)
            continue
        if "".join(text):
            result.parts.append("".join(text))
        text = []
        result.parts.append(Reference(match["name"], match["default"], start))
        position = match.end()
    text.append(source[position:])
    if "".join(text):
        result.parts.append("".join(text))
    return result


def _end_of_braces(source: str, start: int) -> int:
    """Just past the `}` that closes the `${` at `start` (nested braces counted), or the end."""
    depth = 0
    for index in range(start + 1, len(source)):
        depth += {"{": 1, "}": -1}.get(source[index], 0)
        if depth == 0:
            return index + 1
    return len(source)


def _malformed(source: str, start: int, match: re.Match[str] | None) -> SyntaxProblem:
    if match is not None:  # a default that holds another reference: ${A:-${B}}
        name = match["name"]
        return SyntaxProblem(
            start,
            "a default cannot hold another variable reference",
            f"write ${{{name}:-value}} with a plain value, or set {name} in the environment",
        )
    head = re.match(r"\$\{(" + _NAME + r")(:?[-=?+])", source[start:])
    if head and head[2] != ":-":
        return SyntaxProblem(
            start, f"unsupported form `${{{head[1]}{head[2]}`; {_FORM}", f"write ${{{head[1]}:-value}}"
        )
    if "}" not in source[start:]:
        return SyntaxProblem(start, f"unclosed variable reference; {_FORM}", "add the closing `}`")
    return SyntaxProblem(start, f"malformed variable reference; {_FORM}")


@dataclass(frozen=True)
class Environment:
    """Where reference values come from.

    `values` None means values are not read (`validate --no-env`): references with a default
    take it, others stay unresolved. `declared`, when given, lists the names a deployment
    provides; a reference without a default must name one of them.
    """

    values: Mapping[str, str] | None
    declared: frozenset[str] | None = None
    declared_in: str = ""  # where `declared` was read from, for messages

    @classmethod
    def of(cls, env: Mapping[str, str] | Environment) -> Environment:
        return env if isinstance(env, Environment) else cls(env)

    def provides(self, name: str) -> bool:
        return self.values is not None and name in self.values

    def value(self, reference: Reference) -> str | None:
        """The text that replaces `reference`, or None when it is unknown here."""
        if self.values is not None and reference.name in self.values:
            return self.values[reference.name]
        return reference.default

    def missing_message(self, name: str) -> tuple[str, str] | None:
        """(message, hint) for a reference without value and default; None when that is fine here."""
        if self.values is not None:
            hint = f"set it, or give a default: ${{{name}:-value}}"
            return f"environment variable `{name}` is not set", hint
        if self.declared is not None and name not in self.declared:
            return (
                f"environment variable `{name}` is not declared in {self.declared_in}",
                f"add `{name}=` to {self.declared_in}, or give a default: ${{{name}:-value}}",
            )
        return None


def read_declared_names(paths: Collection[Path]) -> tuple[frozenset[str], list[tuple[Path, int, str]]]:
    """Variable names from `.env`-style files (`NAME=value`, `export NAME=…` or a bare `NAME`).

    Values are ignored. Returns the names and (file, line, text) of lines that are neither.
    """
    names: set[str] = set()
    bad: list[tuple[Path, int, str]] = []
    line_form = re.compile(r"^\s*(?:export\s+)?(" + _NAME + r")\s*(?:=.*)?$")
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            match = line_form.match(line)
            if match:
                names.add(match[1])
            else:
                bad.append((path, number, line.strip()))
    return frozenset(names), bad
