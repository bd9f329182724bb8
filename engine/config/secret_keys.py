"""Which setting names hold secrets: their values are masked in messages and belong in `${VARS}`."""

from __future__ import annotations

import re

_SECRET_KEY = re.compile(r"(^|_)(api_?key|key|secret|password|passwd|pass|token|credentials?)s?($|_)")


def looks_secret(key: object) -> bool:
    return isinstance(key, str) and bool(_SECRET_KEY.search(key.lower()))
