"""What the user sees when a command fails: the problem in their terms and the exit code.

Every command runs inside `GuardedGroup`, so no traceback reaches a user: a cartsync error
prints its message, its hint and every configuration problem once, and exits with its code; an
unexpected error prints one line and asks to report it (the traceback only with `--debug`).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperGroup

from cartsync.commands.output import errors
from cartsync.engine.config.issues import ConfigIssues
from cartsync.engine.errors import CartsyncError
from cartsync.engine.secrets import redact

INTERNAL_ERROR = 70  # sysexits EX_SOFTWARE: a bug in cartsync, not in the user's files
INTERRUPTED = 130


class Settings:
    """The options given before the command, for the parts that print."""

    debug = False  # --debug: show the traceback of unexpected errors
    quiet = False  # -q: no progress line, no notes


def guard(action: Callable[[], int | None]) -> None:
    """Run a command and exit with its code. Errors are turned into messages by GuardedGroup."""
    raise typer.Exit(action() or 0)


def report_error(error: CartsyncError) -> None:
    """Print a cartsync error once: its message, each configuration problem, its hint."""
    errors.print(f"[bold red]error:[/] {error.message}", highlight=False, soft_wrap=True)
    for problem in error.issues if isinstance(error, ConfigIssues) else []:
        errors.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)
    if error.hint:
        errors.print(f"[yellow]hint:[/] {error.hint}", highlight=False, soft_wrap=True)


def report_unexpected(error: BaseException) -> None:
    summary = redact(f"{type(error).__name__}: {error}")
    attach = "this output" if Settings.debug else "the output of the same command run with --debug"
    errors.print(
        f"[bold red]internal error:[/] {summary}\n"
        f"This is a bug in cartsync: please report it to its maintainers, with {attach}.",
        markup=True,
        highlight=False,
        soft_wrap=True,
    )
    if Settings.debug:
        errors.print(redact("".join(traceback.format_exception(error))), markup=False, highlight=False)


class GuardedGroup(TyperGroup):
    """The root command group: turns every failure below it into a message and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except CartsyncError as error:
            report_error(error)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            errors.print("interrupted", highlight=False)
            raise typer.Exit(INTERRUPTED) from None
        except Exception as error:
            report_unexpected(error)
            raise typer.Exit(INTERNAL_ERROR) from None
