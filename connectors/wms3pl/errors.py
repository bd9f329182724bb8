"""The WMS's exception replies, turned into messages a person can act on.

A refusal comes as JSON (`{"$type": "…ModelValidationException…", "ErrorCode": …, "Hint": …}`,
or a `ListException` with `faults[].wmsException`), except 500s, which are plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from cartsync.engine.errors import CartsyncError, ConnectError
from cartsync.engine.secrets import redact

_TEXT_LIMIT = 300


@dataclass(frozen=True)
class WmsFault:
    """One refusal: its status, exception type, error code and the WMS's own words."""

    status: int
    exception_type: str | None = None
    error_code: str | None = None
    property_name: str | None = None
    value: Any = None
    text: str = ""

    @property
    def is_duplicate_reference(self) -> bool:
        code = (self.error_code or "").lower()
        words = self.text.lower()
        return "duplicate" in code or ("reference" in words and ("already exists" in words
                                                                  or "duplicate" in words))

    @property
    def is_value_not_supported(self) -> bool:
        return (self.error_code or "").lower() == "valuenotsupported"


def _field(payload: dict[str, Any], *names: str) -> Any:
    lowered = {key.lower(): value for key, value in payload.items()}
    return next((lowered[name.lower()] for name in names if lowered.get(name.lower()) is not None), None)


def _words(payload: dict[str, Any]) -> str:
    code = _field(payload, "ErrorCode")
    said = _field(payload, "Hint", "Message", "error_description", "error")
    faults = _field(payload, "faults")
    parts = [f"{code}: {said}" if code and said else str(code or said or "")]
    if isinstance(faults, list):
        for fault in faults:
            inner = _field(fault, "wmsException") if isinstance(fault, dict) else None
            if isinstance(inner, dict):
                parts.append(f"entry {_field(fault, 'entryNumber')}: {_words(inner)}")
    return "; ".join(part for part in parts if part)


def parse_fault(response: requests.Response) -> WmsFault:
    """What the WMS said in a non-success reply, whatever its shape."""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        text = " ".join(response.text.split())[:_TEXT_LIMIT] or response.reason or ""
        return WmsFault(response.status_code, text=redact(f"HTTP {response.status_code}: {text}"))
    exception_type = _field(payload, "$type")
    if isinstance(exception_type, str):
        exception_type = exception_type.split(",")[0].rsplit(".", 1)[-1]
    properties = _field(payload, "PropertyName", "Properties", "Parameters")
    if isinstance(properties, list):
        properties = ", ".join(str(p) for p in properties)
    return WmsFault(
        status=response.status_code,
        exception_type=exception_type,
        error_code=_field(payload, "ErrorCode"),
        property_name=properties,
        value=_field(payload, "Value"),
        text=redact(_words(payload) or f"HTTP {response.status_code}"),
    )


def order_hint(fault: WmsFault, customer_id: int | None, facility_id: int | None) -> str | None:
    """What to do about a refused order, in the integrator's terms."""
    prop = (fault.property_name or "").lower()
    if fault.is_value_not_supported:
        if "sku" in prop:
            return (f"SKU {fault.value} is not set up for customer {customer_id} in the WMS: add the item "
                    "there, or map the store SKU to the WMS SKU in the pipeline.")
        if "customer" in prop:
            return (f"customer {fault.value} does not exist in the WMS or this user cannot use it: "
                    "check customer_id in connections.yaml.")
        if "facility" in prop:
            return (f"facility {fault.value} does not exist in the WMS for customer {customer_id}: "
                    f"check facility_id ({facility_id}) in connections.yaml.")
    if fault.property_name and fault.exception_type == "ModelValidationException":
        return f"fix {fault.property_name} in the order mapping."
    return None


def request_failed(response: requests.Response, doing: str) -> CartsyncError:
    """The error to raise when a read the connector depends on is refused."""
    fault = parse_fault(response)
    if response.status_code in (401, 403):
        return ConnectError(
            f"The WMS refused to let this user {doing} (HTTP {response.status_code}): {fault.text}",
            hint="Check that the user login id has access to this customer and facility in the WMS.",
        )
    if response.status_code == 404:
        return ConnectError(
            f"The WMS has no such resource while trying to {doing}: {fault.text}",
            hint="Check base_url in connections.yaml (e.g. https://secure-wms.com).",
        )
    return CartsyncError(f"The WMS refused to {doing} (HTTP {response.status_code}): {fault.text}")
