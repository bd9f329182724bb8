"""The store's order status ids, kept in a small file after each run that could read them.

While a store is in maintenance mode, OpenCart answers the cartsync extension's routes with its
503 page (3.0's installer package, 4.0, 4.1), so status names cannot be resolved; order history
itself still works. A later run then uses the ids an earlier run saved. The file (connection
setting `status_cache`, default `.cartsync/opencart-statuses.json` in the working folder, beside
the state store's default) holds the statuses of each store by its URL, and the time they were
read. It is a cache: losing it costs only the fallback.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_PATH = ".cartsync/opencart-statuses.json"
MAX_STORES = 50  # the stores kept, newest first


class StatusCache:
    def __init__(self, path: str | None, store_url: str) -> None:
        self.path = Path(path) if path else None
        self.store_url = store_url

    def _read(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        try:
            stores = json.loads(self.path.read_text(encoding="utf-8")).get("stores")
        except (OSError, ValueError, AttributeError):
            return {}
        return stores if isinstance(stores, dict) else {}

    def load(self) -> tuple[dict[str, int], str] | None:
        """The saved {name: id} of this store and when they were read, or None."""
        entry = self._read().get(self.store_url)
        try:
            return {str(name): int(i) for name, i in entry["statuses"].items()}, str(entry["saved"])
        except (TypeError, KeyError, ValueError, AttributeError):
            return None

    def save(self, statuses: dict[str, int]) -> None:
        """Keep this store's statuses (written only when they changed). A file that cannot be
        written costs only the fallback, so it is left alone."""
        if self.path is None:
            return
        stores = self._read()
        known = stores.get(self.store_url)
        if isinstance(known, dict) and known.get("statuses") == statuses:
            return
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        stores[self.store_url] = {"statuses": statuses, "saved": now}
        newest = sorted(stores.items(), key=lambda item: str(item[1].get("saved", "")), reverse=True)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.path.parent, delete=False,
                                             encoding="utf-8") as out:
                json.dump({"stores": dict(newest[:MAX_STORES])}, out, indent=1, sort_keys=True)
            os.replace(out.name, self.path)
        except OSError:
            return
