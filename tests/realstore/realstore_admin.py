"""What a store's owner changes in the admin, for a real store (through its database) and for a
sandbox store (through its operator methods) alike: store settings, the API user's IP list."""

from __future__ import annotations

from realstore_db import Database
from realstore_stores import RealStore

from cartsync.connectors.opencart.sandbox import SandboxStore


class DatabaseAdmin:
    def __init__(self, db: Database, store: RealStore) -> None:
        self.db = db
        self.store = store

    def setting(self, key: str, value: str | None) -> None:
        """An oc_setting row of store 0 (code `cartsync`); None removes it."""
        self.db.run(f"DELETE FROM oc_setting WHERE store_id = 0 AND `key` = '{key}'")
        if value is not None:
            quoted = value.replace("'", "''")
            self.db.run(
                "INSERT INTO oc_setting SET store_id = 0, code = 'cartsync', "
                f"`key` = '{key}', `value` = '{quoted}', serialized = 0"
            )

    def _api_id(self) -> str:
        column = "name" if self.store.version.startswith("2") else "username"
        return self.db.value(f"SELECT api_id FROM oc_api WHERE `{column}` = '{self.store.username}'")

    def allow_ip(self, ip: str) -> None:
        self.db.run(f"INSERT INTO oc_api_ip SET api_id = {self._api_id()}, ip = '{ip}'")

    def forbid_ip(self, ip: str) -> None:
        self.db.run(f"DELETE FROM oc_api_ip WHERE api_id = {self._api_id()} AND ip = '{ip}'")


class SandboxAdmin:
    def __init__(self, sandbox: SandboxStore) -> None:
        self.sandbox = sandbox

    def setting(self, key: str, value: str | None) -> None:
        self.sandbox.set_setting(key, value)

    def allow_ip(self, ip: str) -> None:
        user = self.sandbox.auth.user(self.sandbox.api_username)
        user.ips = [*user.ips, ip]

    def forbid_ip(self, ip: str) -> None:
        user = self.sandbox.auth.user(self.sandbox.api_username)
        user.ips = [allowed for allowed in user.ips if allowed != ip]


StoreAdmin = DatabaseAdmin | SandboxAdmin
