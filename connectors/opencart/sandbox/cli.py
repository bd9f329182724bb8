"""`cartsync sandbox store`: run a sandbox OpenCart store until Ctrl-C."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cartsync.connectors.opencart.sandbox.store import SandboxStore
from cartsync.connectors.opencart.versions import VARIANTS_FOR_VERSION, VERSIONS

app = typer.Typer(
    help="A sandbox OpenCart store (2.1, 2.3, 3.0, 4.0 or 4.1) with the cartsync extension, on 127.0.0.1.\n\n"
    "Example:\n\n"
    "    cartsync sandbox store --version 3.0 --port 8080 --api-username cartsync --api-key sandbox-key",
    no_args_is_help=False,
)


@app.callback(invoke_without_command=True)
def store(
    version: Annotated[str, typer.Option("--version", help=f"One of {', '.join(VERSIONS)}.")] = "3.0",
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0 picks a free one).")] = 0,
    seed: Annotated[Path | None, typer.Option("--seed", exists=True, dir_okay=False,
                                              help="Seed data (JSON) instead of the built-in store.")] = None,
    api_username: Annotated[str, typer.Option("--api-username", help="The API user's name.")] = "cartsync",
    api_key: Annotated[str, typer.Option("--api-key", help="The API user's key.")] = "sandbox-key",
    variant: Annotated[str | None, typer.Option("--variant",
                                                help="Extension variant (3.0: extension3 or api).")] = None,
) -> None:
    """Start the store, print its URL and credentials, and serve until stopped (Ctrl-C)."""
    if version not in VERSIONS:
        raise typer.BadParameter(f"choose one of {', '.join(VERSIONS)}", param_hint="--version")
    try:
        sandbox = SandboxStore(version, port=port, seed=seed, api_username=api_username, api_key=api_key,
                               variant=variant)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(f"Sandbox OpenCart {version} store (extension variant {sandbox.variant}) at {sandbox.url}")
    typer.echo(f"  store_url:    {sandbox.url}")
    typer.echo(f"  api_username: {api_username}")
    typer.echo(f"  api_key:      {api_key}")
    typer.echo(f"  variants on this version: {', '.join(VARIANTS_FOR_VERSION[version])}")
    typer.echo("Press Ctrl-C to stop.")
    sandbox.serve_forever()
