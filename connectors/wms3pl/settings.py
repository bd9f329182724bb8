"""The connection settings of a `wms3pl` connection, typed (see schemas/wms3pl/connection.schema.json)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

DEFAULT_BASE_URL = "https://secure-wms.com"


@dataclass(frozen=True)
class WmsSettings:
    client_id: str
    client_secret: str
    user_login_id: str
    base_url: str = DEFAULT_BASE_URL
    tpl: str | None = None
    customer_id: int | None = None
    facility_id: int | None = None
    timeout: float = 30.0
    verify_tls: bool = True
    concurrency: int = 4
    page_size: int = 100
    reply_format: Literal["hal", "json"] = "hal"

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any]) -> WmsSettings:
        known = {name: settings[name] for name in cls.__dataclass_fields__ if settings.get(name) is not None}
        known["client_id"] = str(known.get("client_id", ""))
        known["client_secret"] = str(known.get("client_secret", ""))
        known["user_login_id"] = str(known.get("user_login_id", ""))
        for name in ("customer_id", "facility_id", "concurrency", "page_size"):
            if name in known:
                known[name] = int(known[name])
        known["base_url"] = str(known.get("base_url", DEFAULT_BASE_URL)).rstrip("/")
        return cls(**known)
