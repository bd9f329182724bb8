"""The editor-facing schemas: valid JSON Schema, documented keys, one branch per connector."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from cartsync.engine.connector import SCHEMAS_DIR, load_schema
from cartsync.engine.registry import connector_names


def _documented_properties(schema: Any, path: str = "$") -> list[str]:
    """Paths of every `properties` entry that lacks a description or a markdownDescription."""
    missing = []
    if isinstance(schema, dict):
        for name, child in schema.get("properties", {}).items():
            if not {"description", "markdownDescription"} <= set(child):
                missing.append(f"{path}.{name}")
        for key, child in schema.items():
            if key not in ("if", "else"):  # conditions and required keys, not keys a user writes
                missing += _documented_properties(child, f"{path}/{key}")
    elif isinstance(schema, list):
        for index, child in enumerate(schema):
            missing += _documented_properties(child, f"{path}[{index}]")
    return missing


def test_both_schemas_are_valid_draft_2020_12():
    for name in ("pipeline.schema.json", "connections.schema.json"):
        Draft202012Validator.check_schema(load_schema(name))


def test_every_pipeline_key_is_documented_for_editors():
    assert _documented_properties(load_schema("pipeline.schema.json")) == []
    assert _documented_properties(load_schema("connections.schema.json")) == []


def test_connections_schema_has_one_if_then_branch_per_registered_connector():
    connection = load_schema("connections.schema.json")["$defs"]["connection"]
    assert connection["properties"]["connector"]["enum"] == connector_names()
    branches = {b["if"]["properties"]["connector"]["const"]: b["then"]["$ref"] for b in connection["allOf"]}
    assert branches == {name: f"{name}/connection.schema.json" for name in connector_names()}
    assert "anyOf" not in str(connection) and "oneOf" not in str(connection)
    for reference in branches.values():
        assert (SCHEMAS_DIR / reference).is_file(), reference
