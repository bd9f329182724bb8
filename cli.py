"""The `cartsync` command's root: its options (`-v`, `-q`, `--log-format`, `--debug`, `--version`),
the order `--help` lists the commands in, and where each group of commands comes from.

The commands live in `commands/`, a module a group, each with a typer app of its own that is
merged here (they never import this module): setup_commands (validate, schemas, demo),
run_commands (run pipeline/client, preview, test, check), service_commands (serve, worker, beat),
history_commands (runs, orders), state_commands (state …). Their helpers are there too: output
(tables whole when piped, `--json`), failures (no traceback reaches a user), logs, options (the
options several commands share), arguments (checks of option values and of the state store),
pipeline_run (a run's progress line and report), validation, testing, client. The sandboxes'
commands and the web console's are loaded when used.

What a command runs (the configuration loader, the runner, the connectors, each sandbox, celery,
the console) is imported by that command, not by these modules: `cartsync --help` starts without
loading any of it, nor rich.
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Any, ClassVar

import typer
from typer.core import TyperGroup

from cartsync.commands import (
    history_commands,
    run_commands,
    service_commands,
    setup_commands,
    state_commands,
)
from cartsync.commands.failures import GuardedGroup, Settings
from cartsync.commands.logs import LogFormat, configure_logging
from cartsync.commands.output import say
from cartsync.console import SUMMARY as CONSOLE_SUMMARY


class LoadedOnUse(TyperGroup):
    """A sub-app imported only when it is used: `cartsync --help` lists it by its help line alone."""

    def __init__(self, name: str, module: str, help: str) -> None:
        super().__init__(name=name, help=help)
        self.module = module

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        command = typer.main.get_command(importlib.import_module(self.module).app)
        command.name = self.name
        return command.make_context(info_name, args, parent=parent, **extra)


class RootGroup(GuardedGroup):
    """`cartsync`: its own commands, and the web console's, loaded when used."""

    loaded_on_use: ClassVar[dict[str, LoadedOnUse]] = {
        "console": LoadedOnUse("console", "cartsync.console.cli", CONSOLE_SUMMARY),
    }
    # The order `cartsync --help` lists the commands in; a command not named here comes last.
    listing_order: ClassVar[tuple[str, ...]] = (
        "validate", "preview", "test", "check", "serve", "runs", "worker", "schemas", "beat", "demo",
        "run", "state", "orders", "sandbox", "console",
    )

    def list_commands(self, ctx: Any) -> list[str]:
        names = [*super().list_commands(ctx), *self.loaded_on_use]
        return sorted(names, key=self._place)

    def _place(self, name: str) -> int:
        order = self.listing_order
        return order.index(name) if name in order else len(order)

    def get_command(self, ctx: Any, name: str) -> Any:
        return super().get_command(ctx, name) or self.loaded_on_use.get(name)


class SandboxGroup(TyperGroup):
    """`cartsync sandbox NAME`: a sandbox's commands are loaded only when that sandbox is used."""

    def list_commands(self, ctx: Any) -> list[str]:
        from cartsync.engine.registry import sandbox_names

        return sandbox_names()

    def get_command(self, ctx: Any, name: str) -> Any:
        from cartsync.engine.registry import sandbox_app as registered

        found = registered(name)
        if found is None:
            return None
        command = typer.main.get_command(found)
        command.name = name
        return command


app = typer.Typer(
    name="cartsync",
    help="Declarative integration between OpenCart stores and warehouse systems.\n\n"
    "Example: cartsync run pipeline mappings/order_download.yaml --connections clients/acme/connections.yaml",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    cls=RootGroup,
)
for commands in (setup_commands, run_commands, service_commands, history_commands, state_commands):
    app.add_typer(commands.app)  # no name: the module's commands and groups join the root's
sandbox_app = typer.Typer(
    cls=SandboxGroup,
    help="Built-in sandbox servers for tests, the demo and experiments.",
    no_args_is_help=True,
)
app.add_typer(sandbox_app, name="sandbox")


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            say(f"cartsync {version('cartsync')}")
        except PackageNotFoundError:
            say("cartsync (not installed)")
        raise typer.Exit()


@app.callback()
def main_options(
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More log lines on stderr (-vv: debug).")
    ] = 0,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Errors only: no progress, notes or logs.")
    ] = False,
    log_format: Annotated[
        LogFormat, typer.Option("--log-format", help="Log lines as text or as JSON objects.")
    ] = LogFormat.text,
    debug: Annotated[
        bool,
        typer.Option("--debug", envvar="CARTSYNC_DEBUG", help="Show the traceback of an internal error."),
    ] = False,
    _version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Options for every command; give them before the command: `cartsync -v run pipeline …`."""
    Settings.debug = debug
    Settings.quiet = quiet
    configure_logging(verbose, quiet, log_format)


def main() -> None:
    app(prog_name="cartsync")


if __name__ == "__main__":
    sys.exit(main())
