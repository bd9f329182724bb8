"""Turns files on disk into something runnable: a compiled pipeline and its two connectors."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cartsync.engine.config.connections import read_connections_file
from cartsync.engine.config.issues import ConfigIssues, errors_only
from cartsync.engine.config.loader import read_pipeline
from cartsync.engine.config.model import ConnectionConfig, PipelineConfig
from cartsync.engine.connector import Connector
from cartsync.engine.errors import ConfigError
from cartsync.engine.ledger_functions import ledger_functions
from cartsync.engine.pipeline import CompiledPipeline, compile_pipeline
from cartsync.engine.registry import connector_class
from cartsync.engine.state import StateStore

CONNECTIONS_FILE = "connections.yaml"
log = logging.getLogger(__name__)


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
    if connection.connector is None:  # load_connections refuses such entries first
        raise ConfigError(f"Connection '{connection.name}' names no connector.")
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


@dataclass
class RunConfig:
    """A pipeline and the connections it runs with, both checked."""

    pipeline: PipelineConfig
    connections: dict[str, ConnectionConfig]


def load_run_config(pipeline_path: Path, connections_path: Path | None) -> RunConfig:
    """The pipeline and its connections, with every problem of both files in one ConfigIssues.

    Reads nothing but those files (and lookup tables), so a configuration problem stops a run
    before the state store is opened or anything is written.
    """
    pipeline_path = Path(pipeline_path)
    if not pipeline_path.is_file():
        problem = "is a folder" if pipeline_path.is_dir() else "does not exist"
        hint = (
            "`cartsync run client FOLDER` runs every pipeline of a client folder"
            if pipeline_path.is_dir()
            else "check the path (it is relative to the current folder)"
        )
        raise ConfigError(f"The pipeline file {pipeline_path} {problem}.", hint=hint)
    connections_file = find_connections(pipeline_path, connections_path)
    log.info("pipeline %s with the connections of %s", pipeline_path, connections_file)
    found = read_connections_file(connections_file)
    usable = found.connections if found.readable else None
    config, issues = read_pipeline(pipeline_path, usable)
    errors = errors_only([*found.issues, *issues])
    if errors or config is None:
        raise ConfigIssues(errors)
    for warning in found.issues:
        log.warning("%s", warning)
    return RunConfig(config, found.connections)


def prepare(pipeline_path: Path, connections_path: Path | None, store: StateStore) -> PreparedRun:
    """Load and compile a pipeline and open its connectors. Raises ConfigError (exit 2)."""
    return prepare_loaded(load_run_config(pipeline_path, connections_path), store)


def prepare_loaded(loaded: RunConfig, store: StateStore) -> PreparedRun:
    """Compile a loaded pipeline against the state store and open its connectors."""
    config, connections = loaded.pipeline, loaded.connections
    source = open_connector(connection_named(connections, config.source.connection, config, "source"))
    destination = open_connector(
        connection_named(connections, config.destination.connection, config, "destination")
    )
    record_schema = destination.schema(destination.streams[config.destination.stream].record_schema)
    compiled = compile_pipeline(config, record_schema, extra_functions=ledger_functions(store))
    return PreparedRun(compiled, source, destination)
