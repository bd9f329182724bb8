"""The commands that set cartsync up and try it: `validate` (check the files before a deploy),
`schemas` (for editors' completion) and `demo` (the three jobs against the built-in sandboxes)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cartsync.commands.failures import guard
from cartsync.commands.options import ConnectionsPath, JsonOption
from cartsync.commands.output import say

app = typer.Typer()


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Pipeline files, connections files or folders.")
    ] = None,
    connections: ConnectionsPath = None,
    no_env: Annotated[
        bool,
        typer.Option(
            "--no-env",
            help="Do not read variable values (CI without production secrets): check each ${VAR}'s "
            "syntax, and with --env-names that it is declared.",
        ),
    ] = False,
    env_names: Annotated[
        list[Path] | None,
        typer.Option(
            "--env-names",
            help="A .env-style file (NAME=… lines, values ignored) listing the variables a deployment "
            "provides; implies --no-env. Repeatable.",
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Check pipeline, connections and client files; print every problem at once with file:line:col.

    Exits 0 when every file is valid (warnings allowed) and 2 otherwise, so it fits a CI step
    before a deploy. Whatever it accepts, `run` loads: both use the same checks.

    Examples: cartsync validate mappings/ clients/
              cartsync validate --no-env --env-names deploy/acme.env.example clients/acme
    """

    def action() -> int:
        from cartsync.commands.validation import environment_for_validation, print_validation
        from cartsync.engine.config.loader import validate_paths

        env = environment_for_validation(no_env, env_names or [])
        result = validate_paths(paths or [Path(".")], connections, env)
        print_validation(result, json_output=json_output)
        return 2 if result.errors or not result.files else 0

    guard(action)


@app.command()
def schemas(
    write: Annotated[
        Path | None,
        typer.Option(
            "--write",
            file_okay=False,
            help="Write the pipeline, client, schedule and connections schemas into this folder instead "
            "of printing the connections schema.",
        ),
    ] = None,
) -> None:
    """The JSON Schemas editors use for completion; the connections schema is generated from the
    installed connectors, so a connector added by any package is in it.

    Example: cartsync schemas --write schemas/   (then `# yaml-language-server: $schema=schemas/…`)
    """
    from importlib import resources

    from cartsync.engine.config.connections_schema import FILE_NAME, connections_schema_text
    from cartsync.engine.connector import SCHEMAS_FOLDER

    def action() -> int:
        text = connections_schema_text()
        if write is None:
            sys.stdout.write(text)
            return 0
        write.mkdir(parents=True, exist_ok=True)
        written = [FILE_NAME]
        for schema in (resources.files("cartsync") / SCHEMAS_FOLDER).iterdir():
            if schema.name.endswith(".schema.json") and schema.name != FILE_NAME:
                (write / schema.name).write_text(schema.read_text(encoding="utf-8"), encoding="utf-8")
                written.append(schema.name)
        (write / FILE_NAME).write_text(text, encoding="utf-8")
        say(f"wrote {', '.join(sorted(written))} in {write}")
        return 0

    guard(action)


@app.command()
def demo(
    folder: Annotated[
        Path | None,
        typer.Option(
            "--folder",
            file_okay=False,
            help="Where the demo writes its state (default: a new temporary folder).",
        ),
    ] = None,
    store_version: Annotated[
        str,
        typer.Option("--store-version", help="The sandbox store's OpenCart version (2.1–4.1)."),
    ] = "3.0",
) -> None:
    """The three jobs end to end against the built-in sandbox store and WMS, twice (the second
    pass sends nothing). Needs no configuration: the example client ships with cartsync.

    Example: cartsync demo --folder demo-state --store-version 4.1
    """
    from cartsync.demo.__main__ import STORE_VERSIONS, run_demo

    if store_version not in STORE_VERSIONS:
        raise typer.BadParameter(f"choose one of {', '.join(STORE_VERSIONS)}", param_hint="--store-version")
    guard(lambda: run_demo(folder, store_version))
