"""A connector's connection settings, declared once: the typed object it reads, and the JSON Schema
that checks connections files (and gives editors completion).

    @dataclass(frozen=True)
    class ShopSettings(ConnectionSettings):
        \"\"\"A shop, reached with its URL and an API key.\"\"\"

        url: str = setting(description="The shop's address.", format="http-url")
        api_key: Secret = setting(description="The API key, e.g. ${SHOP_KEY}.")
        page_size: int = setting(50, description="Orders per page.", minimum=1, maximum=200)
        overlap: timedelta = setting("10 minutes", description="How far back a later run starts again.")

The field's type gives the schema's type and the conversion (`Secret` is a credential whose repr
is `***`; `timedelta` is a duration written `10 minutes` or as seconds; `Literal[...]` an enum;
`X | None` also accepts null); the default is written as a user would write it and is converted
like a value from the file; keyword arguments are JSON Schema keywords of the setting (they
override what the type gives). `from_mapping` is the only constructor: fields have no dataclass
defaults, so no second copy of a default can exist.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from datetime import timedelta
from typing import Any, Literal, Self, Union, get_args, get_origin, get_type_hints

from cartsync.engine.dates import duration
from cartsync.engine.errors import ConfigError
from cartsync.engine.secrets import Secret

_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_DURATION_TEXT = "a duration such as `10 minutes`, `2 hours`, or a number of seconds"
_JSON_TYPES: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def setting(
    default: Any = MISSING,
    *,
    description: str,
    credential: bool = False,
    clean: Callable[[Any], Any] | None = None,
    **schema: Any,
) -> Any:
    """One setting: its default (none: required), what it means, and JSON Schema keywords.

    `credential` marks a value that belongs in `${VAR}` without being a `Secret` (a client id:
    written in the file, it is a warning). `clean` normalises the converted value (`rstrip("/")`).
    """
    return field(
        metadata={
            "default": default,
            "description": description,
            "credential": credential,
            "clean": clean,
            "schema": schema,
        }
    )


@dataclass(frozen=True)
class ConnectionSettings:
    """Base of a connector's settings. Subclasses are frozen dataclasses of `setting(...)` fields;
    their docstring is the connection schema's description."""

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Self:
        """The typed settings of a connections file entry (already checked against `json_schema`);
        absent and null values take the default. Raises ConfigError for a missing required one."""
        hints = get_type_hints(cls)
        built: dict[str, Any] = {}
        for spec in fields(cls):
            meta = spec.metadata
            value = values.get(spec.name)
            if (value is None and not _allows_null(hints[spec.name])) or spec.name not in values:
                value = meta["default"]
            if value is MISSING:
                raise ConfigError(f"the setting `{spec.name}` is missing", hint=meta["description"])
            try:
                converted = _convert(hints[spec.name], value)
            except (TypeError, ValueError) as error:
                raise ConfigError(f"the setting `{spec.name}`: {error}", hint=meta["description"]) from None
            built[spec.name] = (
                meta["clean"](converted) if meta["clean"] and converted is not None else converted
            )
        return cls(**built)

    @classmethod
    def secret_names(cls) -> frozenset[str]:
        """The settings whose values are `Secret`s: masked everywhere, and belonging in `${VARS}`."""
        hints = get_type_hints(cls)
        return frozenset(spec.name for spec in fields(cls) if _plain(hints[spec.name]) is Secret)

    @classmethod
    def json_schema(cls, connector: str) -> dict[str, Any]:
        """The connection schema: `connector: NAME` and every setting, with its type, default and meaning."""
        hints = get_type_hints(cls)
        properties: dict[str, Any] = {
            "connector": {
                "const": connector,
                "description": f"The connector: always `{connector}` for this kind of connection.",
            }
        }
        for spec in fields(cls):
            properties[spec.name] = _property(spec, hints[spec.name])
        required = [spec.name for spec in fields(cls) if spec.metadata["default"] is MISSING]
        return {
            "$schema": _SCHEMA_DIALECT,
            "title": f"{connector} connection",
            "description": " ".join(inspect.cleandoc(cls.__doc__ or "").split()),
            "type": "object",
            "properties": properties,
            **({"required": required} if required else {}),
            "additionalProperties": False,
        }


def _property(spec: Field[Any], hint: Any) -> dict[str, Any]:
    meta = spec.metadata
    schema = _type_schema(hint)
    if meta["credential"]:
        schema["x-credential"] = True
    schema.update(meta["schema"])
    if meta["default"] is not MISSING and meta["default"] is not None:
        schema["default"] = meta["default"]
    schema["description"] = meta["description"]
    return schema


def _type_schema(hint: Any) -> dict[str, Any]:
    """The JSON Schema keywords a field's type gives."""
    if _allows_null(hint):
        inner = _type_schema(_plain(hint))
        kinds = inner.get("type")
        if kinds is None:
            return {"anyOf": [inner, {"type": "null"}]}
        return {**inner, "type": [*(kinds if isinstance(kinds, list) else [kinds]), "null"]}
    if hint is Secret:
        return {"type": "string", "minLength": 1, "x-credential": True}
    if hint is timedelta:
        return {
            "type": ["string", "integer"],
            "format": "duration",
            "minimum": 0,
            "x-expected": _DURATION_TEXT,
        }
    if get_origin(hint) is Literal:
        return {"enum": list(get_args(hint))}
    if get_origin(hint) in (dict, Mapping):
        _, value_type = get_args(hint)
        return {"type": "object", "additionalProperties": _type_schema(value_type)}
    if hint in _JSON_TYPES:
        return {"type": _JSON_TYPES[hint]}
    raise TypeError(f"a setting cannot have the type {hint!r}")


def _convert(hint: Any, value: Any) -> Any:
    """A value from the file (or a default) as the field's type."""
    if value is None:
        return None
    hint = _plain(hint)
    if hint is Secret:
        return value if isinstance(value, Secret) else Secret(str(value))
    if hint is timedelta:
        return duration(value)
    if get_origin(hint) in (dict, Mapping):
        key_type, value_type = get_args(hint)
        return {_convert(key_type, key): _convert(value_type, item) for key, item in dict(value).items()}
    if get_origin(hint) is Literal or hint is bool:
        return value
    return hint(value)


def _allows_null(hint: Any) -> bool:
    return get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint)


def _plain(hint: Any) -> Any:
    """`X` of `X | None`; other types as they are."""
    if _allows_null(hint):
        others = [arg for arg in get_args(hint) if arg is not type(None)]
        return others[0] if len(others) == 1 else Union[tuple(others)]  # noqa: UP007
    return hint
