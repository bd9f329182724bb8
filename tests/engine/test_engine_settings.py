"""Connection settings declared once: the typed object and the connection schema come from one
spec, with one set of defaults, and a secret setting never shows its value."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import pytest
from jsonschema import Draft202012Validator

from cartsync.connectors.opencart.settings import StoreSettings
from cartsync.connectors.wms3pl.settings import WmsSettings
from cartsync.engine.errors import ConfigError
from cartsync.engine.registry import connector_class, connector_names
from cartsync.engine.secrets import Secret, redact
from cartsync.engine.settings import ConnectionSettings, setting


@dataclass(frozen=True)
class ShopSettings(ConnectionSettings):
    """A shop."""

    url: str = setting(description="Its address.", format="http-url", clean=lambda url: url.rstrip("/"))
    token: Secret = setting(description="Its token.")
    mode: Literal["fast", "safe"] = setting("safe", description="How.")
    pause: timedelta = setting("10 minutes", description="How long.")
    limit: int | None = setting(None, description="At most.", minimum=1)
    ids: dict[str, int] = setting({}, description="Ids by name.")


def test_one_spec_gives_the_schema_and_the_typed_object():
    schema = ShopSettings.json_schema("shop")
    assert schema["required"] == ["url", "token"] and schema["additionalProperties"] is False
    properties = schema["properties"]
    assert properties["connector"]["const"] == "shop"
    assert properties["url"] == {"type": "string", "format": "http-url", "description": "Its address."}
    assert properties["token"]["x-credential"] is True and "default" not in properties["token"]
    assert properties["mode"] == {"enum": ["fast", "safe"], "default": "safe", "description": "How."}
    assert properties["pause"]["format"] == "duration" and properties["pause"]["default"] == "10 minutes"
    assert properties["limit"]["type"] == ["integer", "null"] and properties["limit"]["minimum"] == 1
    assert properties["ids"]["additionalProperties"] == {"type": "integer"}
    Draft202012Validator.check_schema(schema)

    typed = ShopSettings.from_mapping(
        {"url": "https://shop.example/", "token": "t0ken-value", "ids": {"a": "3"}}
    )
    assert typed.url == "https://shop.example" and typed.token.reveal() == "t0ken-value"
    assert (typed.mode, typed.pause, typed.limit, typed.ids) == (
        "safe",
        timedelta(minutes=10),
        None,
        {"a": 3},
    )
    assert ShopSettings.from_mapping({"url": "u", "token": "t0ken", "pause": 90}).pause == timedelta(
        seconds=90
    )
    assert ShopSettings.secret_names() == {"token"}


def test_a_missing_or_unreadable_setting_is_a_configuration_error():
    with pytest.raises(ConfigError, match="the setting `token` is missing"):
        ShopSettings.from_mapping({"url": "u"})
    with pytest.raises(ConfigError, match="the setting `pause`: 'soon' is not a duration"):
        ShopSettings.from_mapping({"url": "u", "token": "t0ken", "pause": "soon"})


def test_a_secret_never_shows_its_value():
    settings = StoreSettings.from_mapping({"store_url": "https://s.example", "api_key": "k3y-of-the-store"})
    for shown in (
        repr(settings),
        str(settings),
        f"{settings}",
        repr(settings.api_key),
        str(settings.api_key),
        f"{settings.api_key}",
        repr(
            WmsSettings.from_mapping(
                {"client_id": "c", "client_secret": "k3y-of-the-store", "user_login_id": 1}
            )
        ),
    ):
        assert "k3y-of-the-store" not in shown
    assert "***" in repr(settings.api_key)
    assert redact("login with k3y-of-the-store failed") == "login with *** failed"  # registered when made
    assert settings.api_key == Secret("k3y-of-the-store") and settings.api_key.reveal() == "k3y-of-the-store"
    assert pickle.loads(pickle.dumps(settings.api_key)).reveal() == "k3y-of-the-store"


@pytest.mark.parametrize("name", connector_names())
def test_every_connector_default_is_the_one_the_typed_object_gets(name):
    connector = connector_class(name)
    schema = connector.connection_schema()
    required = {key: _example(schema["properties"][key]) for key in schema.get("required", [])}
    typed = connector.settings_spec.from_mapping(required)
    assert not list(Draft202012Validator(schema).iter_errors(required))
    for key, spec in schema["properties"].items():
        if "default" in spec:
            again = connector.settings_spec.from_mapping({**required, key: spec["default"]})
            assert getattr(typed, key) == getattr(again, key), key


def _example(spec: dict) -> object:
    kinds = spec.get("type", "string")
    kind = kinds[0] if isinstance(kinds, list) else kinds
    return {"string": "https://example.test", "integer": 1}[kind]
