"""The editor-facing schemas: valid JSON Schema, documented keys, one branch per connector."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from cartsync.engine.config.connections_schema import connections_schema_text
from cartsync.engine.connector import load_schema
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


def test_the_shipped_connections_schema_is_generated_from_the_installed_connectors():
    shipped = Path(__file__).parents[2] / "schemas" / "connections.schema.json"
    assert shipped.read_text(encoding="utf-8") == connections_schema_text(), (
        "regenerate with: cartsync schemas --write schemas/"
    )


def test_connections_schema_has_one_if_then_branch_per_registered_connector():
    schema = load_schema("connections.schema.json")
    connection = schema["$defs"]["connection"]
    assert connection["properties"]["connector"]["enum"] == connector_names()
    branches = {b["if"]["properties"]["connector"]["const"]: b["then"]["$ref"] for b in connection["allOf"]}
    assert branches == {name: f"#/$defs/connection.{name}" for name in connector_names()}
    assert "anyOf" not in str(connection) and "oneOf" not in str(connection)
    validator = Draft202012Validator(schema)
    assert list(validator.iter_errors({"shop": {"connector": "files", "folder": "out"}})) == []
    wrong = {"shop": {"connector": "opencart", "store_url": "https://x.example", "api_key": "k", "pgsize": 5}}
    assert [error.message for error in validator.iter_errors(wrong)] == [
        "Additional properties are not allowed ('pgsize' was unexpected)"
    ]
