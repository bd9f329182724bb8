"""Order statuses, always resolved by name: their ids differ from store to store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cartsync.connectors.opencart.extension import ExtensionClient
from cartsync.engine.errors import ConfigError


class StatusBook:
    """The store's statuses by name (case and spacing ignored), read once per connection.

    `status_ids` from the connection settings answers without asking the store, which matters in
    maintenance mode, when the extension's routes are blocked but order history still works.
    """

    def __init__(self, extension: ExtensionClient, configured: Mapping[str, int]) -> None:
        self._extension = extension
        self._configured = dict(configured)
        self._by_name: dict[str, tuple[int, str]] | None = None

    def statuses(self) -> list[dict[str, Any]]:
        reply = self._extension.call("statuses")
        return [{"order_status_id": int(s["order_status_id"]), "name": str(s["name"])}
                for s in reply["statuses"]]

    def _table(self) -> dict[str, tuple[int, str]]:
        if self._by_name is None:
            pairs = list(self._configured.items()) or [
                (status["name"], status["order_status_id"]) for status in self.statuses()]
            self._by_name = {_fold(name): (status_id, name) for name, status_id in pairs}
        return self._by_name

    def find(self, name: str) -> int | None:
        found = self._table().get(_fold(name))
        return found[0] if found else None

    def names(self) -> list[str]:
        return sorted(name for _, name in self._table().values())

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
