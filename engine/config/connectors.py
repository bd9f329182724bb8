"""Finding a connector class by name, as a configuration check (a problem, never a crash)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cartsync.engine.config.issues import did_you_mean
from cartsync.engine.connector import Connector, SchemaRef
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


def connection_schema(connector: type[Connector]) -> dict[str, Any] | ConnectorProblem:
    """The connection schema `connector`'s settings spec gives, or why it cannot be made."""
    try:
        return connector.connection_schema()
    except (TypeError, ValueError, AttributeError, NameError) as error:
        return ConnectorProblem(
            f"connector `{connector.name}` has no usable settings spec ({type(error).__name__}: {error})",
            "reinstall the connector's package; its author: declare settings with engine.settings",
        )


def connector_schema(connector: type[Connector], ref: SchemaRef) -> dict[str, Any] | ConnectorProblem:
    """A schema of `connector`, or why it cannot be read."""
    try:
        return connector.schema(ref)
    except (OSError, ValueError, TypeError) as error:
        return ConnectorProblem(
            f"connector `{connector.name}` cannot read its schema {ref} ({type(error).__name__}: {error})",
            "reinstall the connector's package, or check that its schemas/ folder is package data",
        )
