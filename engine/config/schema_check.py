"""JSON Schema validation of configuration data, with every error in plain words and in place.

A valid file (nearly every file, on nearly every run) is recognised by jsonschema-rs, with the
same formats, in microseconds; jsonschema, which explains each error, checks only a file that
fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from cartsync.engine.config.formats import EXPECTED, FORMATS
from cartsync.engine.config.issues import did_you_mean, issue
from cartsync.engine.config.model import ConfigIssue, JsonPath
from cartsync.engine.config.secret_keys import looks_secret
from cartsync.engine.config.yaml_positions import LocatedDocument

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing (null)",
}


def check_schema(
    instance: Any, schema: dict[str, Any], document: LocatedDocument, prefix: JsonPath = ()
) -> list[ConfigIssue]:
    """Every way `instance` (found at `prefix` in `document`) breaks `schema`."""
    if _recognises(json.dumps(schema, sort_keys=True)).is_valid(instance):
        return []
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    issues: list[ConfigIssue] = []
    errors = list(validator.iter_errors(instance))
    plain = {tuple(error.absolute_path) for error in errors if error.validator != "format"}
    for error in errors:
        path = (*prefix, *error.absolute_path)
        if error.validator == "format" and tuple(error.absolute_path) in plain:
            continue  # the value already breaks a plainer rule (its type or pattern)
        if path not in document.unresolved:
            issues.extend(_translate(error, document, path))
    return list(dict.fromkeys(issues))  # one `required` error per missing key names them all


@cache
def _recognises(schema: str) -> Any:
    """A jsonschema-rs validator of a schema (JSON text, to be cached) and of FORMATS' formats."""
    formats = {name: _accepts(check) for name, (check, _) in FORMATS.checkers.items()}
    return jsonschema_rs.validator_for(json.loads(schema), formats=formats, validate_formats=True)


def _accepts(check: Callable[[Any], Any]) -> Callable[[str], bool]:
    def accepts(value: str) -> bool:
        try:
            return bool(check(value))
        except ValueError:
            return False

    return accepts


def _translate(error: ValidationError, document: LocatedDocument, path: JsonPath) -> list[ConfigIssue]:
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "additionalProperties" and isinstance(value, dict):
        known = list(error.schema.get("properties", {}))
        extras = [key for key in value if key not in known]
        return [
            issue(
                document.key_position((*path, key)),
                (*path, key),
                f"unknown key `{key}`",
                hint=did_you_mean(key, known) or _allowed(known),
            )
            for key in extras
        ]
    if kind == "required":
        missing = [key for key in expected if isinstance(value, dict) and key not in value]
        return [
            issue(document.value_position(path), (*path, key), f"missing required key `{key}`")
            for key in missing
        ]
    where = document.value_position(path)
    return [issue(where, path, _message(kind, expected, value, path, error))]


def _message(kind: str, expected: Any, value: Any, path: JsonPath, error: ValidationError) -> str:
    got = describe(value, path)
    if kind == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        return f"expected {' or '.join(_TYPE_NAMES.get(n, n) for n in names)}, got {got}"
    if kind == "enum":
        return f"expected one of {', '.join(f'`{_literal(v)}`' for v in expected)}, got {got}"
    if kind == "const":
        return f"expected `{expected}`, got {got}"
    if kind == "pattern":
        meaning = error.schema.get("x-expected") or f"text matching `{expected}`"
        return f"expected {meaning}, got {got}"
    if kind == "minLength":
        return "must not be empty" if expected == 1 else f"expected at least {expected} characters"
    if kind == "maxLength":
        return f"expected at most {expected} characters"
    if kind in ("minItems", "maxItems"):
        bound = "at least" if kind == "minItems" else "at most"
        return f"expected {bound} {expected} item{'s' if expected != 1 else ''}, got {len(value)}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        sign = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[kind]
        return f"expected a number {sign} {expected}, got {got}"
    if kind == "format":
        reason = str(error.cause or "")
        return f"expected {EXPECTED.get(expected, expected)}, got {got}" + (f": {reason}" if reason else "")
    if kind == "uniqueItems":
        return "expected every item to be different"
    if kind == "minProperties":
        return f"expected at least {expected} entr{'ies' if expected != 1 else 'y'}"
    return error.message


def describe(value: Any, path: JsonPath = ()) -> str:
    """How a value is named in a message; values under secret-looking keys are not shown."""
    kind = _kind(value)
    if isinstance(value, dict | list) or value is None:
        return kind
    if path and looks_secret(path[-1]):
        return kind
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{kind} `{text}`"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "nothing (null)" if value is None else type(value).__name__


def _literal(value: Any) -> str:
    """An enum value as written in YAML: `false`, `null`, `block`."""
    return value if isinstance(value, str) else json.dumps(value)


def _allowed(known: list[str]) -> str | None:
    return f"expected one of: {', '.join(known)}" if known else None
