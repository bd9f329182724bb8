"""How much cartsync reads from one configuration file before it refuses it.

Configuration files are small; these bounds keep a mistaken or hostile file (a YAML alias bomb,
a file nested a thousand levels deep, a log pasted by accident) from using the machine's memory
or time. Each refusal is a configuration problem with its reason, never a crash.
"""

from __future__ import annotations

MAX_FILE_BYTES = 1024 * 1024  # a pipeline or connections file
MAX_TABLE_BYTES = 16 * 1024 * 1024  # a lookup table file (a catalogue of SKU aliases can be long)
MAX_DEPTH = 64  # mappings and lists inside each other
MAX_ALIAS_VALUES = 10_000  # values that YAML aliases (`*name`) add by copying an anchor
MAX_ISSUES_SHOWN = 200  # problems printed by `cartsync validate` (all are counted)


def size_text(size: int) -> str:
    """`1048576` -> `1 MB`."""
    return f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"
