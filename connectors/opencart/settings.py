"""The connection's settings (`connector: opencart` in connections.yaml), with their defaults."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cartsync.connectors.opencart.status_cache import DEFAULT_PATH
from cartsync.engine.errors import ConfigError

_DURATION = re.compile(r"^\s*(\d+)\s*(second|minute|hour|day)s?\s*$", re.IGNORECASE)
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class StoreSettings:
    store_url: str
    api_key: str
    api_username: str = "Default"
    version: str = "auto"  # or 2.1, 2.3, 3.0, 4.0, 4.1
    extension: str = "auto"  # or api, extension3, extension4, signed
    timeout: float = 30.0
    verify_tls: bool = True
    page_size: int = 50
    overlap_seconds: int = 600
    status_ids: Mapping[str, int] = field(default_factory=dict)  # name -> id, when names cannot be read
    option_products: str = "sum"  # or keep: how a product follows the option values the stock stream sets
    status_cache: str | None = DEFAULT_PATH  # where status ids are kept for maintenance mode; None: nowhere

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any]) -> StoreSettings:
        return cls(
            store_url=str(settings["store_url"]).rstrip("/"),
            api_key=str(settings["api_key"]),
            api_username=str(settings.get("api_username", "Default")),
            version=str(settings.get("version", "auto")),
            extension=str(settings.get("extension", "auto")),
            timeout=float(settings.get("timeout", 30)),
            verify_tls=bool(settings.get("verify_tls", True)),
            page_size=int(settings.get("page_size", 50)),
            overlap_seconds=duration_seconds(settings.get("overlap", "10 minutes"), "overlap"),
            status_ids={str(k): int(v) for k, v in (settings.get("status_ids") or {}).items()},
            option_products=str(settings.get("option_products", "sum")),
            status_cache=_optional_path(settings.get("status_cache", DEFAULT_PATH)),
        )


def _optional_path(value: object) -> str | None:
    """A path setting; null (or an empty text) turns it off."""
    return str(value) if value else None


def duration_seconds(value: object, name: str) -> int:
    """`10 minutes`, `2 hours`, `90 seconds`, or a number of seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ConfigError(f"{name}: {value!r} is not a duration",
                          hint="write e.g. '10 minutes', '2 hours' or a number of seconds")
    return int(match.group(1)) * _SECONDS[match.group(2).lower()]
