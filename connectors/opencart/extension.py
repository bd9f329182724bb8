"""The client side of the cartsync extension contract (`connectors/opencart/schemas/extension.openapi.yaml`).

With `extension: auto` the variant is found by asking each variant the store's version can
run for its `version` operation; the first that answers is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cartsync.connectors.opencart import errors
from cartsync.connectors.opencart.session import StoreSession
from cartsync.connectors.opencart.signed_refusal import explain_extension_refusal
from cartsync.connectors.opencart.versions import MIN_EXTENSION_VERSION, VARIANTS_FOR_VERSION, extension_route
from cartsync.engine.errors import ConnectError


class ExtensionClient:
    def __init__(self, session: StoreSession, variant: str = "auto") -> None:
        self.session = session
        self.variant: str | None = None if variant == "auto" else variant
        self.info: dict[str, Any] | None = None  # the `version` operation's reply

    def version_info(self) -> dict[str, Any]:
        """The extension's `version` reply (detects the variant and the exact OpenCart version)."""
        if self.info is None:
            self._detect()
        assert self.info is not None
        return self.info

    def call(self, operation: str, *, params: Mapping[str, Any] | None = None,
             json: Any = None) -> dict[str, Any]:
        self.version_info()
        assert self.variant is not None
        route, extra = extension_route(self.variant, operation)
        response = self.session.request("POST" if json is not None else "GET", route,
                                        params={**extra, **(params or {})}, json=json, call=extra.get("call"))
        if errors.is_html_not_found(response):
            raise errors.extension_missing(self.session.version or "", [route])
        return self._payload(route, operation, response)

    def _detect(self) -> None:
        candidates = [self.variant] if self.variant else VARIANTS_FOR_VERSION[self.session.route_version]
        missing: list[str] = []  # routes that answered 'page not found'
        blocked: str | None = None
        for variant in candidates:
            route, extra = extension_route(variant, "version")
            response = self.session.request("GET", route, params=extra, call=extra.get("call"))
            if errors.is_html_not_found(response):
                missing.append(route)
                continue
            if errors.is_maintenance_page(response):
                blocked = blocked or route
                continue
            self.info = self._payload(route, "version", response)
            _require_version(str(self.info.get("extension_version") or "0"))
            self.variant = variant
            release = str(self.info.get("opencart_version") or "")
            if release:
                self.session.refine_version(release)
            return
        if blocked:
            raise errors.maintenance(self.session.settings.store_url, blocked)
        raise errors.extension_missing(self.session.version or "", missing)

    def _payload(self, route: str, operation: str, response: Any) -> dict[str, Any]:
        settings = self.session.settings
        payload = errors.decode(response, store_url=settings.store_url, route=route)
        error = payload.get("error") if isinstance(payload, dict) else None
        if isinstance(error, dict):
            code, text = error.get("code"), errors.error_text(payload)
            if code == "ip":
                raise errors.ip_not_allowed(settings.api_username, self.session.version or "", text)
            if code == "permission":
                if self.session.version == "4.1":
                    raise explain_extension_refusal(self.session, text, response)
                raise errors.call_refused(settings.api_username, route, text)
            if code == "not_found":
                raise errors.extension_outdated(operation, text)
            raise ConnectError(f"The cartsync extension refused '{operation}': {text}",
                               hint="This is a mismatch between cartsync and the extension; "
                               "install the extension version that matches this cartsync.")
        if response.status_code != 200 or not isinstance(payload, dict):
            raise errors.not_json(settings.store_url, route, response)
        return payload


def _require_version(found: str) -> None:
    parts = tuple(int(part) if part.isdigit() else 0 for part in found.split("."))
    if parts < MIN_EXTENSION_VERSION:
        raise errors.extension_too_old(found, ".".join(map(str, MIN_EXTENSION_VERSION)))
