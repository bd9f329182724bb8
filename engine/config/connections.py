"""Reading a connections file: `name -> {connector: NAME, ...settings}`.

`connector:` chooses the connector; the other keys are checked against that connector's own
connection schema. Values of secret settings (the connector's `Secret` settings, and keys that
look like keys, tokens or passwords) are registered as secrets before anything is reported.
A credential written in the file instead of `${VAR}` (secret settings, and settings the
connection schema marks `x-credential`) is a warning: it works, but it should not be committed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cartsync.engine import secrets
from cartsync.engine.config.connectors import ConnectorProblem, connection_schema, find_connector
from cartsync.engine.config.env_vars import Environment
from cartsync.engine.config.issues import did_you_mean, issue, warning
from cartsync.engine.config.model import ConfigIssue, ConnectionConfig
from cartsync.engine.config.schema_check import check_schema, describe
from cartsync.engine.config.secret_keys import looks_secret
from cartsync.engine.config.yaml_positions import LocatedDocument, read_yaml
from cartsync.engine.connector import Connector

CONNECTOR = "connector"


@dataclass
class ConnectionsFile:
    """What a connections file gave. `readable` is False when it could not be read or parsed as
    a mapping: then the connection names pipelines use cannot be checked against it."""

    path: Path
    connections: dict[str, ConnectionConfig] = field(default_factory=dict)
    issues: list[ConfigIssue] = field(default_factory=list)
    readable: bool = True


def read_connections_file(path: Path, env: Mapping[str, str] | Environment = os.environ) -> ConnectionsFile:
    """Every entry of the file (entries without a usable connector too), and all issues found."""
    document, issues = read_yaml(path, env)
    if document is None:
        return ConnectionsFile(path, issues=issues, readable=False)
    if not isinstance(document.data, dict):
        message = f"expected a mapping of connection name -> settings, got {describe(document.data)}"
        hint = "for example `store: {connector: opencart, …}`"
        problem = issue(document.value_position(()), (), message, hint)
        return ConnectionsFile(path, issues=[*issues, problem], readable=False)
    result = ConnectionsFile(path, issues=issues)
    for name, entry in document.data.items():
        connection, found = _read_entry(document, name, entry)
        result.issues.extend(found)
        if connection is not None:
            result.connections[name] = connection
    return result


def read_connections(
    path: Path, env: Mapping[str, str] | Environment = os.environ
) -> tuple[dict[str, ConnectionConfig], list[ConfigIssue]]:
    """Every connection entry, and all issues found."""
    found = read_connections_file(path, env)
    return found.connections, found.issues


def _read_entry(
    document: LocatedDocument, name: str, entry: Any
) -> tuple[ConnectionConfig | None, list[ConfigIssue]]:
    where = document.value_position((name,))
    if not isinstance(entry, dict):
        message = f"expected a mapping with `connector:` and its settings, got {describe(entry)}"
        return None, [issue(where, (name,), message)]
    settings = {key: value for key, value in entry.items() if key != CONNECTOR}
    connector = entry.get(CONNECTOR)
    if not isinstance(connector, str):
        for key, value in settings.items():
            if looks_secret(key):
                secrets.register(value)
        connection = ConnectionConfig(name, None, settings, document.key_position((name,)))
        if connector is None:
            hint = did_you_mean(CONNECTOR, entry) or "for example `connector: files`"
            return connection, [issue(where, (name, CONNECTOR), "missing required key `connector`", hint)]
        message = f"expected a connector name, got {describe(connector)}"
        return connection, [issue(document.value_position((name, CONNECTOR)), (name, CONNECTOR), message)]
    connection = ConnectionConfig(name, connector, settings, document.key_position((name,)))
    found = find_connector(connector)
    if isinstance(found, ConnectorProblem):
        for key, value in settings.items():
            if looks_secret(key):
                secrets.register(value)
        position = document.value_position((name, CONNECTOR))
        return connection, [issue(position, (name, CONNECTOR), found.message, found.hint)]
    for key, value in settings.items():
        if key in found.secret_settings() or looks_secret(key):
            secrets.register(value)
    schema = connection_schema(found)
    if isinstance(schema, ConnectorProblem):
        return connection, [issue(where, (name,), schema.message)]
    issues = check_schema(settings, schema, document, (name,))
    return connection, issues + _credentials_in_file(document, name, settings, found, schema)


def _credentials_in_file(
    document: LocatedDocument, name: str, settings: dict[str, Any], connector: type[Connector], schema: dict
) -> list[ConfigIssue]:
    """A warning for each credential whose value is written in the file, not read from a variable."""
    known = schema.get("properties", {})
    found = []
    for key, value in settings.items():
        spec = known.get(key)  # an unknown key is reported as such
        credential = spec is not None and (
            key in connector.secret_settings() or spec.get("x-credential") or looks_secret(key)
        )
        if not credential or not isinstance(value, str) or not value or (name, key) in document.from_env:
            continue
        variable = re.sub(r"[^A-Z0-9]+", "_", f"{name}_{key}".upper()).strip("_")
        found.append(
            warning(
                document.value_position((name, key)),
                (name, key),
                "a credential is written in the file; anyone who can read the file can use it",
                f"write `{key}: ${{{variable}}}` and set {variable} in the environment",
            )
        )
    return found
