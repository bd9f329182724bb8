"""Splitting a full name, as stores and warehouses disagree on first/last name fields."""

from __future__ import annotations

from typing import Any

from cartsync.engine.mapping.declare import mapping_function


def _first_and_last(full: str) -> tuple[str, str]:
    """Split on the last space; runs of whitespace count as one; one word is a first name only."""
    first, _, last = " ".join(full.split()).rpartition(" ")
    return (first, last) if first else (last, "")


@mapping_function("string|null", examples=(("first_name('Ada King Lovelace')", "Ada King"),))
def first_name(full: str | None) -> str | None:
    """Everything before the last space of `full` (the whole name when it is one word)."""
    return None if full is None else _first_and_last(full)[0]


@mapping_function(
    "string|null",
    examples=(("last_name('Ada King Lovelace')", "Lovelace"), ("last_name('Cher')", "")),
)
def last_name(full: str | None) -> str | None:
    """The word after the last space of `full` (empty text when it is one word)."""
    return None if full is None else _first_and_last(full)[1]


@mapping_function(
    "string|null",
    examples=(
        ("split_name(' Ada  Lovelace ')", {"first": "Ada", "last": "Lovelace"}),
        ("split_name('Cher')", {"first": "Cher", "last": ""}),
    ),
)
def split_name(full: str | None) -> dict[str, Any] | None:
    """`{first, last}` from `full`, split on the last space (one word: `first` only)."""
    if full is None:
        return None
    first, last = _first_and_last(full)
    return {"first": first, "last": last}


FUNCTIONS = (first_name, last_name, split_name)
