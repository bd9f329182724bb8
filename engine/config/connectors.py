"""Finding a connector class by name, as a configuration check (a problem, never a crash)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cartsync.engine.config.issues import did_you_mean
from cartsync.engine.connector import Connector, load_schema
from cartsync.engine.registry import connector_class, connector_names


@dataclass(frozen=True)
class ConnectorProblem:
    message: str
    hint: str | None = None


def find_connector(name: str) -> type[Connector] | ConnectorProblem:
    """The class registered as `name`, or why it cannot be used."""
    names = connector_names()
    if name not in names:
        return ConnectorProblem(
            f"unknown connector `{name}`",
            did_you_mean(name, names) or f"installed connectors: {', '.join(names) or 'none'}",
        )
    try:
        return connector_class(name)
    except Exception as error:  # a broken or missing module must not stop validation
        return ConnectorProblem(
            f"connector `{name}` is registered but cannot be loaded ({type(error).__name__}: {error})",
            "reinstall cartsync, or check that the connector's package is complete",
        )


def connector_schema(relative_path: str) -> dict[str, Any] | ConnectorProblem:
    """A schema from `schemas/`, or why it cannot be read."""
    try:
        return load_schema(relative_path)
    except (OSError, ValueError) as error:
        return ConnectorProblem(f"cannot read the schema schemas/{relative_path} ({error})")
