"""The extension's query parameters, checked as its PHP does (`src/cartsync/params.php`).

PHP turns `name[]=1&name[]=2` into an array under `name`; a parameter sent that way is invalid
("expected a single value"). An empty value counts as absent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cartsync.connectors.opencart.sandbox import extension_texts as texts

_ID = "[0-9]{1,18}"
_ID_PATTERN = re.compile(f"^{_ID}$")
_ID_LIST_PATTERN = re.compile(f"^{_ID}(,{_ID})*$")
_DIGITS = re.compile("^[0-9]+$")
_DATE_PATTERN = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?$")
_LARGEST_EXACT_LIMIT_DIGITS = 9  # longer page sizes are clamped without being read


class Params:
    """The query of one call, as PHP's `$_GET`."""

    def __init__(self, query: Mapping[str, str]) -> None:
        self.query = query
        self.arrays = {name.split("[", 1)[0] for name in query if "[" in name}

    def text(self, name: str) -> str | None:
        if name in self.arrays:
            raise texts.invalid(name, texts.SINGLE_VALUE)
        return self.query.get(name) or None

    def id(self, name: str, default: int | None = None) -> int | None:
        value = self.text(name)
        if value is None:
            return default
        if not _ID_PATTERN.match(value):
            raise texts.invalid(name, texts.NON_NEGATIVE_INTEGER)
        return int(value)

    def limit(self, name: str, default: int, largest: int) -> int:
        """A positive page size; larger values are clamped to `largest`."""
        value = self.text(name)
        if value is None:
            return default
        significant = value.lstrip("0")
        if not _DIGITS.match(value) or not significant:
            raise texts.invalid(name, texts.POSITIVE_INTEGER)
        if len(significant) > _LARGEST_EXACT_LIMIT_DIGITS:
            return largest
        return min(int(significant), largest)

    def id_list(self, name: str) -> set[int] | None:
        value = self.text(name)
        if value is None:
            return None
        if not _ID_LIST_PATTERN.match(value):
            raise texts.invalid(name, texts.ID_LIST)
        return {int(part) for part in value.split(",")}

    def date(self, name: str) -> str | None:
        """A date, as the database compares it: a bare day is that day's midnight."""
        value = self.text(name)
        if value is None:
            return None
        if not _DATE_PATTERN.match(value):
            raise texts.invalid(name, texts.DATE)
        value = value.rstrip("\n")  # like PHP's `$`, the pattern lets one final newline through
        return value if len(value) > 10 else f"{value} 00:00:00"
