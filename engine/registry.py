"""Finds connectors, their mapping functions and their sandboxes by name, through entry points.

A new system is a new package that registers itself under `cartsync.connectors` (and, if it adds
mapping functions, `cartsync.functions`; a sandbox, `cartsync.sandboxes`); the engine never
imports a connector module by name.
"""

from __future__ import annotations

import logging
import sys
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

from cartsync.engine.connector import Connector

CONNECTOR_GROUP = "cartsync.connectors"
SANDBOX_GROUP = "cartsync.sandboxes"
FUNCTIONS_GROUP = "cartsync.functions"
log = logging.getLogger(__name__)


def _entry_points(group: str) -> dict[str, EntryPoint]:
    """The group's entry points; read once per search path (reading them scans every installed
    distribution, and validation asks for each connection and each stream)."""
    return _entry_points_on(group, tuple(sys.path))


@cache
def _entry_points_on(group: str, search_path: tuple[str, ...]) -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=group)}


def connector_names() -> list[str]:
    return sorted(_entry_points(CONNECTOR_GROUP))


def connector_class(name: str) -> type[Connector]:
    """The connector class registered under `name`; KeyError if there is none."""
    return _entry_points(CONNECTOR_GROUP)[name].load()


def function_modules() -> dict[str, ModuleType]:
    """Modules of mapping functions that connectors add, by entry-point name: each holds
    `FUNCTIONS` (declared with `mapping_function`) and may name its group with `TITLE`. One that
    does not import is left out, with a warning: the other functions still work."""
    modules = {}
    for name, ep in sorted(_entry_points(FUNCTIONS_GROUP).items()):
        try:
            module = ep.load()
        except Exception as error:
            log.warning("mapping functions %r (%s) cannot be loaded: %s: %s", name, ep.value,
                        type(error).__name__, error)
            continue
        if isinstance(getattr(module, "FUNCTIONS", None), tuple | list):
            modules[name] = module
        else:
            log.warning("mapping functions %r (%s) has no FUNCTIONS list", name, ep.value)
    return modules


def sandbox_names() -> list[str]:
    """The sandbox servers (`cartsync sandbox NAME`), without loading them."""
    return sorted(_entry_points(SANDBOX_GROUP))


def sandbox_app(name: str) -> Any | None:
    """The typer app of the sandbox registered under `name`; None when there is none, or when its
    module does not import cleanly."""
    entry = _entry_points(SANDBOX_GROUP).get(name)
    try:
        return entry.load() if entry else None
    except ImportError:
        return None
