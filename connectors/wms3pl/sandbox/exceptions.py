"""The WMS's exception replies, shaped like the real server's JSON."""

from __future__ import annotations

from typing import Any

_TYPE = "Dto.Exceptions.{name}, Dto"


class WmsException(Exception):
    """A refusal the server answers with a JSON exception body."""

    def __init__(self, status: int, payload: dict[str, Any]) -> None:
        super().__init__(payload.get("Hint") or payload.get("ErrorCode"))
        self.status = status
        self.payload = payload


def model_validation(error_code: str, property_name: str, hint: str, value: Any = None) -> WmsException:
    payload: dict[str, Any] = {
        "$type": _TYPE.format(name="ModelValidationException"),
        "ErrorCode": error_code,
        "PropertyName": property_name,
        "Hint": hint,
    }
    if value is not None:
        payload["Value"] = value
    return WmsException(400, payload)


def value_not_supported(property_name: str, value: Any) -> WmsException:
    return WmsException(400, {
        "$type": _TYPE.format(name="ValueNotSupportedException"),
        "ErrorCode": "ValueNotSupported",
        "PropertyName": property_name,
        "Value": value,
        "Hint": f"Value not supported: {property_name} = {value}",
    })


def query_parameter(parameter: str, error_code: str, hint: str) -> WmsException:
    return WmsException(400, {
        "$type": _TYPE.format(name="QueryParameterException"),
        "Parameters": [parameter],
        "ErrorCode": error_code,
        "Hint": hint,
    })


def not_found(hint: str) -> WmsException:
    return WmsException(404, {
        "$type": _TYPE.format(name="OperationException"),
        "ErrorCode": "NotFound",
        "Hint": hint,
    })


def authorization(hint: str) -> WmsException:
    return WmsException(401, {
        "$type": _TYPE.format(name="AuthorizationException"),
        "ErrorCode": "Unauthorized",
        "Hint": hint,
    })
