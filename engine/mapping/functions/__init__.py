"""The functions every mapping expression can call beyond JMESPath's own, grouped by kind."""

from __future__ import annotations

from types import ModuleType

from cartsync.engine.mapping.declare import FunctionSpec
from cartsync.engine.mapping.functions import arrays, dates, items, lookups, names, numbers, settings, strings

GROUPS: tuple[tuple[str, ModuleType], ...] = (
    ("Lookups", lookups),
    ("Settings", settings),
    ("Text", strings),
    ("Names", names),
    ("Numbers", numbers),
    ("Dates", dates),
    ("Arrays", arrays),
    ("Items and filters", items),
)

SPECS: dict[str, FunctionSpec] = {
    function.mapping_spec.name: function.mapping_spec for _, module in GROUPS for function in module.FUNCTIONS
}
