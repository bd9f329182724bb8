"""`setting()`: reading the pipeline's `settings:` so one mapping serves many clients."""

from __future__ import annotations

from typing import Any

from cartsync.engine.mapping.declare import FunctionEnv, mapping_function
from cartsync.engine.mapping.errors import MappingError

_NO_DEFAULT = object()


@mapping_function(
    "string",
    "any?",
    uses_env=True,
    names="setting",
    examples=(("setting('customer_id')", 1077), ("setting('facility_id', `2`)", 2)),
)
def setting(env: FunctionEnv, name: str, default: Any = _NO_DEFAULT) -> Any:
    """The value of `name` under the pipeline's `settings:`.

    A missing setting without `default` is an error; with `default`, that value is returned.
    """
    if name in env.settings:
        return env.settings[name]
    if default is _NO_DEFAULT:
        known = ", ".join(sorted(env.settings)) or "none"
        raise MappingError(f"the pipeline has no setting '{name}' (its settings: {known})")
    return default


FUNCTIONS = (setting,)
