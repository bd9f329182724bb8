"""`${VAR}` and `${VAR:-default}` references inside YAML string values.

`$${` stands for a literal `${`. A reference may be the whole value or part of a longer string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")


@dataclass
class Interpolated:
    text: str
    missing: list[tuple[str, int]] = field(default_factory=list)  # (variable, offset in the source)
    malformed: list[int] = field(default_factory=list)  # offsets of `${` that start no valid reference
    whole: bool = False  # the source was exactly one reference


def interpolate(source: str, env: Mapping[str, str]) -> Interpolated:
    """Replace every reference in `source` with its environment value (or default)."""
    result = Interpolated(text="")
    parts: list[str] = []
    position = 0
    while (start := source.find("$", position)) != -1:
        parts.append(source[position:start])
        if source.startswith("$${", start):
            parts.append("${")
            position = start + 3
            continue
        if not source.startswith("${", start):
            parts.append("$")
            position = start + 1
            continue
        match = _REFERENCE.match(source, start)
        if match is None:
            result.malformed.append(start)
            parts.append("${")
            position = start + 2
            continue
        name, default = match["name"], match["default"]
        if name in env:
            parts.append(env[name])
        elif default is not None:
            parts.append(default)
        else:
            result.missing.append((name, start))
        result.whole = match.span() == (0, len(source))
        position = match.end()
    parts.append(source[position:])
    result.text = "".join(parts)
    return result
