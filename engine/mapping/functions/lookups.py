"""`lookup()`: translating codes through the pipeline's lookup tables (ship methods, SKU aliases...)."""

from __future__ import annotations

import json
from typing import Any

from cartsync.engine.mapping.declare import FunctionEnv, mapping_function
from cartsync.engine.mapping.errors import MappingError

_NO_DEFAULT = object()


def _shown(key: Any) -> str:
    return f"'{key}'" if isinstance(key, str) else json.dumps(key)


@mapping_function(
    "string",
    "any",
    "any?",
    uses_env=True,
    names="table",
    examples=(
        ("lookup('ship_methods', shipping_code).carrier", "UPS"),
        ("lookup('statuses', order_status_id)", "Processing"),
        ("lookup('ship_methods', 'pickup.pickup', `null`)", None),
    ),
)
def lookup(env: FunctionEnv, table: str, key: Any, default: Any = _NO_DEFAULT) -> Any:
    """The entry `key` of lookup table `table`.

    A key that is not text is also tried as text, so the number `2` finds the entry `"2"` of a
    CSV table. Without `default`, a missing entry is an error and the record is held with it;
    with `default`, that value (which may be `null`) is returned instead.
    """
    entries = env.lookups.get(table)
    if entries is None:
        known = ", ".join(sorted(env.lookups)) or "none"
        raise MappingError(f"there is no lookup table '{table}' (the pipeline's tables: {known})")
    try:
        if key in entries:
            return entries[key]
        if not isinstance(key, str) and key is not None and str(key) in entries:
            return entries[str(key)]
    except TypeError:  # an array or object is never a key
        pass
    if default is _NO_DEFAULT:
        raise MappingError(f"lookup table '{table}' has no entry {_shown(key)}")
    return default


@mapping_function(
    "any",
    "string",
    examples=(("require(lookup('ship_methods', shipping_code, `null`), 'Unmapped Ship Method').mode", "92"),),
)
def require(value: Any, message: str) -> Any:
    """`value`, unless it is null: then the record is held in `error` with `message`.

    With `lookup(..., `null`)` it turns "not in the table" into a clear reason, e.g.
    `require(lookup('ship_methods', shipping_code, `null`), concat('Unmapped Ship Method: ', shipping_code))`.
    """
    if value is None:
        raise MappingError(message)
    return value


FUNCTIONS = (lookup, require)
