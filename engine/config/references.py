"""Checks that a pipeline's source and destination name real connections and streams.

The connection must be in the connections file; its connector must have the stream, readable
for `source` and writable for `destination`; its `params` must fit the stream's params schema.
"""

from __future__ import annotations

from collections.abc import Mapping

from cartsync.engine.config.connectors import ConnectorProblem, connector_schema, find_connector
from cartsync.engine.config.issues import did_you_mean, issue
from cartsync.engine.config.model import ConfigIssue, ConnectionConfig
from cartsync.engine.config.schema_check import check_schema
from cartsync.engine.config.yaml_positions import LocatedDocument

_ROLES = {"source": ("read", "read from"), "destination": ("write", "written to")}


def check_endpoints(
    document: LocatedDocument, connections: Mapping[str, ConnectionConfig]
) -> list[ConfigIssue]:
    data = document.data if isinstance(document.data, dict) else {}
    issues: list[ConfigIssue] = []
    for role, (direction, verb) in _ROLES.items():
        endpoint = data.get(role)
        if not isinstance(endpoint, dict) or not isinstance(endpoint.get("connection"), str):
            continue  # the schema check reports it
        name = endpoint["connection"]
        if name not in connections:
            issues.append(_unknown_connection(document, role, name, connections))
            continue
        connector_name = connections[name].connector
        connector = find_connector(connector_name) if connector_name else None
        stream = endpoint.get("stream")
        if connector is None or isinstance(connector, ConnectorProblem) or not isinstance(stream, str):
            continue  # reported with the connections file, or by the schema check
        where = document.value_position((role, "stream"))
        spec = connector.streams.get(stream)
        if spec is None:
            listed = ", ".join(connector.streams)
            hint = did_you_mean(stream, connector.streams) or (f"its streams: {listed}" if listed else None)
            message = f"connector `{connector.name}` (connection `{name}`) has no stream `{stream}`"
            issues.append(issue(where, (role, "stream"), message, hint))
            continue
        if spec.direction not in (direction, "both"):
            message = f"stream `{stream}` of connector `{connector.name}` cannot be {verb}"
            issues.append(issue(where, (role, "stream"), message))
        elif spec.params_schema:
            schema = connector_schema(connector, spec.params_schema)
            if isinstance(schema, ConnectorProblem):
                issues.append(issue(where, (role, "stream"), schema.message))
            else:
                params = endpoint.get("params", {})
                issues.extend(check_schema(params, schema, document, (role, "params")))
    return issues


def _unknown_connection(
    document: LocatedDocument, role: str, name: str, connections: Mapping[str, ConnectionConfig]
) -> ConfigIssue:
    files = sorted({str(c.position.file) for c in connections.values()})
    defined = ", ".join(sorted(connections)) or "none"
    where = f" in {', '.join(files)}" if files else ""
    hint = did_you_mean(name, connections) or f"connections defined{where}: {defined}"
    path = (role, "connection")
    return issue(document.value_position(path), path, f"unknown connection `{name}`", hint)
