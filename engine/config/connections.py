"""Reading a connections file: `name -> {connector: NAME, ...settings}`.

`connector:` chooses the connector; the other keys are checked against that connector's own
connection schema. Values of secret settings (the connector's `secret_settings`, and keys that
look like keys, tokens or passwords) are registered as secrets before anything is reported.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cartsync.engine import secrets
from cartsync.engine.config.connectors import ConnectorProblem, connector_schema, find_connector
from cartsync.engine.config.issues import did_you_mean, issue
from cartsync.engine.config.model import ConfigIssue, ConnectionConfig
from cartsync.engine.config.schema_check import check_schema, describe, looks_secret
from cartsync.engine.config.yaml_positions import LocatedDocument, read_yaml

CONNECTOR = "connector"


def read_connections(
    path: Path, env: Mapping[str, str] = os.environ
) -> tuple[dict[str, ConnectionConfig], list[ConfigIssue]]:
    """Every connection entry that is a mapping with a connector name, and all issues found."""
    document, issues = read_yaml(path, env)
    if document is None:
        return {}, issues
    if not isinstance(document.data, dict):
        message = f"expected a mapping of connection name -> settings, got {describe(document.data)}"
        return {}, [*issues, issue(document.value_position(()), (), message)]
    connections: dict[str, ConnectionConfig] = {}
    for name, entry in document.data.items():
        connection, found = _read_entry(document, name, entry)
        issues.extend(found)
        if connection is not None:
            connections[name] = connection
    return connections, issues


def _read_entry(
    document: LocatedDocument, name: str, entry: Any
) -> tuple[ConnectionConfig | None, list[ConfigIssue]]:
    where = document.value_position((name,))
    if not isinstance(entry, dict):
        message = f"expected a mapping with `connector:` and its settings, got {describe(entry)}"
        return None, [issue(where, (name,), message)]
    connector = entry.get(CONNECTOR)
    if not isinstance(connector, str):
        if connector is None:
            hint = did_you_mean(CONNECTOR, entry) or "for example `connector: files`"
            return None, [issue(where, (name, CONNECTOR), "missing required key `connector`", hint)]
        message = f"expected a connector name, got {describe(connector)}"
        return None, [issue(document.value_position((name, CONNECTOR)), (name, CONNECTOR), message)]
    settings = {key: value for key, value in entry.items() if key != CONNECTOR}
    connection = ConnectionConfig(name, connector, settings, document.key_position((name,)))
    found = find_connector(connector)
    if isinstance(found, ConnectorProblem):
        for key, value in settings.items():
            if looks_secret(key):
                secrets.register(value)
        position = document.value_position((name, CONNECTOR))
        return connection, [issue(position, (name, CONNECTOR), found.message, found.hint)]
    for key, value in settings.items():
        if key in found.secret_settings or looks_secret(key):
            secrets.register(value)
    schema = connector_schema(found.connection_schema)
    if isinstance(schema, ConnectorProblem):
        return connection, [issue(where, (name,), schema.message)]
    return connection, check_schema(settings, schema, document, (name,))
