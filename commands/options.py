"""The options several command modules share, declared once so their help reads the same everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

StatePath = Annotated[
    str | None,
    typer.Option(
        "--state",
        envvar="CARTSYNC_STATE",
        help="State store: a SQLite file (default .cartsync/state.db) or a postgresql:// URL.",
    ),
]
ConnectionsPath = Annotated[
    Path | None,
    typer.Option(
        "--connections",
        "-c",
        envvar="CARTSYNC_CONNECTIONS",
        help="Connections file (default: connections.yaml beside the pipeline, then in the current folder).",
    ),
]
LeaseOption = Annotated[
    float,
    typer.Option(
        "--lease",
        envvar="CARTSYNC_LEASE_SECONDS",
        min=1,
        help="Seconds of the run's lease, renewed while it runs: a run that dies blocks the "
        "pipeline at most this long.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (for scripts) instead of a table.")]
