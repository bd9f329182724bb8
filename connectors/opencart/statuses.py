"""Order statuses, always resolved by name: their ids differ from store to store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cartsync.connectors.opencart import errors
from cartsync.connectors.opencart.extension import ExtensionClient
from cartsync.connectors.opencart.status_cache import StatusCache
from cartsync.engine.errors import ConfigError


class StatusBook:
    """The store's statuses by name (case and spacing ignored), read once per connection.

    In maintenance mode the extension's routes are blocked on 3.0's installer package and 4.x,
    while order history still works. Names are then resolved with `status_ids` from the
    connection settings, or else with the ids an earlier run saved (`status_cache.py`).
    """

    def __init__(self, extension: ExtensionClient, configured: Mapping[str, int], cache: StatusCache) -> None:
        self._extension = extension
        self._configured = dict(configured)
        self._cache = cache
        self._by_name: dict[str, tuple[int, str]] | None = None
        self.saved_on: str | None = None  # when the ids in use were saved, if they come from the cache

    def statuses(self) -> list[dict[str, Any]]:
        reply = self._extension.call("statuses")
        statuses = [{"order_status_id": int(s["order_status_id"]), "name": str(s["name"])}
                    for s in reply["statuses"]]
        self._cache.save({status["name"]: status["order_status_id"] for status in statuses})
        return statuses

    def _table(self, wanted: str) -> dict[str, tuple[int, str]]:
        if self._by_name is None:
            self._by_name = {_fold(name): (status_id, name) for name, status_id in self._pairs(wanted)}
        return self._by_name

    def _pairs(self, wanted: str) -> list[tuple[str, int]]:
        if self._configured:
            return list(self._configured.items())
        try:
            return [(status["name"], status["order_status_id"]) for status in self.statuses()]
        except errors.InMaintenance as blocked:
            saved = self._cache.load()
            if saved is None:
                raise errors.statuses_blocked(blocked, wanted, self._cache.path) from None
            self.saved_on = saved[1]
            return list(saved[0].items())

    @property
    def configured(self) -> bool:
        """Whether the connection gives status_ids (then the store is not asked)."""
        return bool(self._configured)

    def saved(self) -> tuple[dict[str, int], str] | None:
        """The status ids an earlier run saved for this store, and when."""
        return self._cache.load()

    def find(self, name: str) -> int | None:
        found = self._table(name).get(_fold(name))
        return found[0] if found else None

    def names(self) -> list[str]:
        return sorted(name for _, name in self._table("").values())

    def unknown_message(self, name: str) -> str:
        return f"the store has no order status named {name!r}; its statuses are: {', '.join(self.names())}"

    def ids(self, names: list[str], where: str) -> list[int]:
        """Ids for names from a pipeline's params; an unknown name is a configuration error."""
        ids = []
        for name in names:
            status_id = self.find(name)
            if status_id is None:
                raise ConfigError(f"{where}: {self.unknown_message(name)}",
                                  hint="Status names are matched as the store's admin shows them "
                                  "(System > Localisation > Order Statuses).")
            ids.append(status_id)
        return ids


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()
