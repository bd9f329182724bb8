"""Building configuration issues and raising them all at once."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from cartsync.engine.config.model import ConfigIssue, JsonPath, Position
from cartsync.engine.errors import ConfigError
from cartsync.engine.secrets import redact

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def json_path_text(path: JsonPath) -> str:
    """`("source", "params", "statuses", 0)` -> `$.source.params.statuses[0]`."""
    text = "$"
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            text += f".{part}"
        else:
            text += "[" + repr(part) + "]"
    return text


def issue(position: Position, path: JsonPath, message: str, hint: str | None = None) -> ConfigIssue:
    """A ConfigIssue whose texts never show a registered secret."""
    return ConfigIssue(position, json_path_text(path), redact(message), redact(hint) if hint else None)


def warning(position: Position, path: JsonPath, message: str, hint: str | None = None) -> ConfigIssue:
    """An issue that is reported but does not make the file invalid."""
    return ConfigIssue(
        position, json_path_text(path), redact(message), redact(hint) if hint else None, "warning"
    )


def errors_only(issues: Iterable[ConfigIssue]) -> list[ConfigIssue]:
    return [item for item in issues if item.is_error]


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def sort_issues(issues: Iterable[ConfigIssue]) -> list[ConfigIssue]:
    return sorted(
        issues, key=lambda i: (str(i.position.file), i.position.line, i.position.column, i.json_path)
    )


class ConfigIssues(ConfigError):
    """One or more problems in configuration files; `issues` holds every one of them.

    `message` is the one-line header; `str()` gives the header and every issue, one a line.
    """

    def __init__(self, issues: Iterable[ConfigIssue]) -> None:
        self.issues = sort_issues(issues)
        count = len(self.issues)
        super().__init__(f"{count} configuration problem{'s' if count != 1 else ''}:")

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  {item}" for item in self.issues)])
