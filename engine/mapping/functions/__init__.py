"""The functions every mapping expression can call beyond JMESPath's own, grouped by kind: the
engine's generic ones, then those connectors add through `cartsync.functions` entry points."""

from __future__ import annotations

import logging
from types import ModuleType

from cartsync.engine.mapping.declare import FunctionSpec
from cartsync.engine.mapping.functions import arrays, dates, items, lookups, names, numbers, settings, strings
from cartsync.engine.registry import function_modules

log = logging.getLogger(__name__)

ENGINE_GROUPS: tuple[tuple[str, ModuleType], ...] = (
    ("Lookups", lookups),
    ("Settings", settings),
    ("Text", strings),
    ("Names", names),
    ("Numbers", numbers),
    ("Dates", dates),
    ("Arrays", arrays),
    ("Items and filters", items),
)



def function_groups() -> list[tuple[str, ModuleType]]:
    """(title, module) of every group: the engine's, then each connector's (its `TITLE`, else its
    entry-point name)."""
    added = [(getattr(module, "TITLE", name), module) for name, module in function_modules().items()]
    return [*ENGINE_GROUPS, *added]


def function_specs() -> dict[str, FunctionSpec]:
    """Every function by name. A connector's function never replaces one declared before it."""
    specs: dict[str, FunctionSpec] = {}
    for title, module in function_groups():
        for function in module.FUNCTIONS:
            spec = function.mapping_spec
            if spec.name in specs:
                log.warning("mapping function %s() of %s is left out: the name is taken", spec.name, title)
                continue
            specs[spec.name] = spec
    return specs
