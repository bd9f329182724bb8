"""What OpenCart does to every request field before any controller sees it (`Request::clean`),
and how the extension undoes it.

Every version HTML-escapes each GET and POST value with `htmlspecialchars($value, ENT_COMPAT,
'UTF-8')`; 3.0, 4.0 and 4.1 also `trim()` it. So names, addresses and comments are stored
escaped (`Smith &amp; Sons`), and 4.1 signs the md5 of the *cleaned* POST fields: a client that
signs the fields as it sends them is refused for every comment with `&`, `<`, `>`, `"` or a
leading or trailing space or newline. The connector uses this to sign 4.1 calls; the sandbox
store uses it on what it receives, and keeps text as OpenCart does.

The extension gives stored text back as people see it (`plain`, the PHP `CartsyncText::plain`):
OpenCart's escaping undone, exactly once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PHP_TRIMMED = " \t\n\r\0\x0b"  # the characters PHP's trim() strips by default
_ESCAPES = (("&", "&amp;"), ('"', "&quot;"), ("<", "&lt;"), (">", "&gt;"))  # ENT_COMPAT: ' stays
_TRIMMING_VERSIONS = ("3.0", "4.0", "4.1")
_UNESCAPES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#039;": "'", "&#39;": "'"}
_ENTITY = re.compile("|".join(re.escape(entity) for entity in sorted(_UNESCAPES, key=len, reverse=True)))


def html_escape(text: str) -> str:
    """PHP's `htmlspecialchars($text, ENT_COMPAT, 'UTF-8')` (it escapes `&` again in `&amp;`)."""
    for plain, escaped in _ESCAPES:
        text = text.replace(plain, escaped)
    return text


def php_trim(text: str) -> str:
    return text.strip(_PHP_TRIMMED)


def clean(value: Any, version: str) -> str:
    """One field as an OpenCart `version` (2.1, 2.3, 2.x, 3.0, 4.0, 4.1) stores and hashes it."""
    escaped = html_escape(str(value))
    return php_trim(escaped) if version in _TRIMMING_VERSIONS else escaped


def clean_form(fields: Mapping[str, Any], version: str) -> dict[str, str]:
    return {clean(name, version): clean(value, version) for name, value in fields.items()}


def plain(stored: str) -> str:
    """A stored text as people see it: OpenCart's escaping undone in one pass, so `&amp;lt;`
    becomes `&lt;` (PHP's `strtr` with the same table)."""
    return _ENTITY.sub(lambda match: _UNESCAPES[match.group(0)], stored)
