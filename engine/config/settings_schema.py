"""`settings_schema:` — what each of a pipeline's settings may hold, as JSON Schema.

A shipped pipeline declares its settings once; every overlay that changes them is checked
against the declaration (`buffer: two`, `bufer: 2`, `mode: sometimes` are each reported where
they are written). The declaration maps each setting name to a JSON Schema for its value:

    settings_schema:
      buffer: {type: number, minimum: 0, description: Units held back from the store.}

Settings not named in it are unknown keys.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from cartsync.engine.config.issues import issue
from cartsync.engine.config.model import ConfigIssue
from cartsync.engine.config.schema_check import check_schema
from cartsync.engine.config.yaml_positions import LocatedDocument

SETTINGS_SCHEMA = "settings_schema"


def check_settings(document: LocatedDocument) -> list[ConfigIssue]:
    """Every way `settings` breaks `settings_schema` (nothing when no schema is declared)."""
    data = document.data
    declared = data.get(SETTINGS_SCHEMA)
    if not isinstance(declared, dict):
        return []  # absent, or the pipeline schema reports its type
    schema: dict[str, Any] = {"type": "object", "properties": declared, "additionalProperties": False}
    try:
        if not jsonschema_rs.meta.is_valid(schema):  # jsonschema explains what is wrong; it is slower
            Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        inside = list(error.absolute_path)[1:]  # past "properties"
        path = (SETTINGS_SCHEMA, *inside)
        message = f"not a valid JSON Schema: {error.message}"
        return [issue(document.value_position(path), path, message)]
    settings = data.get("settings", {})
    return check_schema(settings, schema, document, ("settings",)) if isinstance(settings, dict) else []
