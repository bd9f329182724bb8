"""Turns files on disk into something runnable: a compiled pipeline and its two connectors."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cartsync.engine.config.loader import load_connections, load_pipeline
from cartsync.engine.config.model import ConnectionConfig, PipelineConfig
from cartsync.engine.connector import Connector
from cartsync.engine.errors import ConfigError
from cartsync.engine.ledger_functions import ledger_functions
from cartsync.engine.pipeline import CompiledPipeline, compile_pipeline
from cartsync.engine.registry import connector_class
from cartsync.engine.state import StateStore

CONNECTIONS_FILE = "connections.yaml"


def find_connections(pipeline_path: Path | None, explicit: Path | None) -> Path:
    """--connections, else $CARTSYNC_CONNECTIONS, else connections.yaml beside the pipeline, else in ./"""
    if explicit:
        return explicit
    if os.environ.get("CARTSYNC_CONNECTIONS"):
        return Path(os.environ["CARTSYNC_CONNECTIONS"])
    candidates = [pipeline_path.parent / CONNECTIONS_FILE] if pipeline_path else []
    candidates.append(Path(CONNECTIONS_FILE))
    for candidate in candidates:
        if candidate.exists():
            return candidate
    raise ConfigError(
        "No connections file found (looked for " + ", ".join(str(c) for c in candidates) + ").",
        hint="Pass --connections FILE or set CARTSYNC_CONNECTIONS.",
    )


def open_connector(connection: ConnectionConfig) -> Connector:
    return connector_class(connection.connector)(connection.name, connection.settings)


def connection_named(
    connections: dict[str, ConnectionConfig], name: str, pipeline: PipelineConfig, role: str
) -> ConnectionConfig:
    if name not in connections:
        position = pipeline.position_of((role, "connection"))
        raise ConfigError(
            f"{position}: the {role} connection '{name}' is not in the connections file.",
            hint="Known connections: " + (", ".join(sorted(connections)) or "none"),
        )
    return connections[name]


@dataclass
class PreparedRun:
    pipeline: CompiledPipeline
    source: Connector
    destination: Connector

    def close(self) -> None:
        self.source.close()
        if self.destination is not self.source:
            self.destination.close()


def prepare(pipeline_path: Path, connections_path: Path | None, store: StateStore) -> PreparedRun:
    """Load and compile a pipeline and open its connectors. Raises ConfigError (exit 2)."""
    connections = load_connections(find_connections(pipeline_path, connections_path))
    config = load_pipeline(pipeline_path, connections)
    source = open_connector(connection_named(connections, config.source.connection, config, "source"))
    destination = open_connector(
        connection_named(connections, config.destination.connection, config, "destination")
    )
    spec = destination.streams[config.destination.stream]
    compiled = compile_pipeline(config, spec, extra_functions=ledger_functions(store))
    return PreparedRun(compiled, source, destination)
