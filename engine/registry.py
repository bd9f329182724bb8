"""Finds connectors and sandboxes by name, through entry points.

A new system is a new package that registers itself under `cartsync.connectors`; the engine
never imports a connector module by name.
"""

from __future__ import annotations

import sys
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from cartsync.engine.connector import Connector

CONNECTOR_GROUP = "cartsync.connectors"
SANDBOX_GROUP = "cartsync.sandboxes"


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


def sandbox_apps() -> dict[str, Any]:
    """Sandbox servers (`cartsync sandbox NAME`) whose modules import cleanly."""
    apps = {}
    for name, ep in _entry_points(SANDBOX_GROUP).items():
        try:
            apps[name] = ep.load()
        except ImportError:
            continue
    return apps
