"""`cartsync validate`: where variable values come from, and how the findings are printed."""

from __future__ import annotations

import os
from pathlib import Path

from cartsync.commands.failures import Settings
from cartsync.commands.output import console, print_json, say
from cartsync.engine.config.env_vars import Environment, read_declared_names
from cartsync.engine.config.issues import ConfigIssues, issue
from cartsync.engine.config.limits import MAX_ISSUES_SHOWN
from cartsync.engine.config.loader import Validation
from cartsync.engine.config.model import Position
from cartsync.engine.errors import ConfigError


def environment_for_validation(no_env: bool, env_names: list[Path]) -> Environment:
    """The process environment; or, with --no-env / --env-names, no values (and declared names)."""
    if not no_env and not env_names:
        return Environment(os.environ)
    if not env_names:
        return Environment(values=None)
    for path in env_names:
        if not path.is_file():
            raise ConfigError(f"--env-names {path}: there is no such file.", hint="give a .env-style file")
    names, bad = read_declared_names(env_names)
    if bad:
        raise ConfigIssues(
            issue(Position(path, line, 1), (), f"expected NAME=value or NAME, got {text!r}")
            for path, line, text in bad
        )
    return Environment(values=None, declared=names, declared_in=", ".join(map(str, env_names)))


def print_validation(result: Validation, *, json_output: bool) -> None:
    errors = result.errors
    warnings = len(result.issues) - len(errors)
    if json_output:
        print_json(
            {
                "valid": not errors and bool(result.files),
                "errors": len(errors),
                "warnings": warnings,
                "files": [str(file) for file in result.files],
                "issues": [item.as_json() for item in result.issues],
                "unchecked": [{"file": str(f), "reason": why} for f, why in result.unchecked.items()],
            }
        )
        return
    for item in result.issues[:MAX_ISSUES_SHOWN]:  # one a line, never wrapped: CI logs and editors parse them
        say(str(item))
    if len(result.issues) > MAX_ISSUES_SHOWN:
        say(f"… and {len(result.issues) - MAX_ISSUES_SHOWN} more (the first {MAX_ISSUES_SHOWN} are shown)")
    if not Settings.quiet:
        reasons: dict[str, list[str]] = {}
        for file, why in result.unchecked.items():
            reasons.setdefault(why, []).append(str(file))
        for why, files in reasons.items():
            say(f"note: connection and stream names were not checked in {', '.join(files)}: {why}")
    if not result.files:
        console.print("[red]no pipeline, connections or client files found[/] (give files or folders)")
    elif errors:
        noted = f", {warnings} warning(s)" if warnings else ""
        files = len({item.position.file for item in errors})
        console.print(f"[red]{len(errors)} problem(s)[/]{noted} in {files} file(s)", highlight=False)
    else:
        noted = f" ({warnings} warning(s))" if warnings else ""
        console.print(f"[green]all files are valid[/]{noted}", highlight=False)
