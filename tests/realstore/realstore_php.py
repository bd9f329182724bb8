"""Stores that run the extension's real PHP: each variant's package, built by
connectors/opencart/extension/build.py and unpacked as OpenCart installs it, behind the front
controller tests/php/front.php on PHP's built-in server (a free port), with a database of the
tables in tests/php/schema/ in the session's MariaDB server. PHP shows every notice, warning and
deprecation in the reply, as a store with display_errors on would, so any of them fails a test.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from realstore_db import Database
from realstore_mariadb import MariaDbServer, ending_with_session, missing_tools
from realstore_stores import RealStore

from cartsync.connectors.opencart.versions import RELEASES

REPO = Path(__file__).resolve().parents[2]
FRONT = REPO / "tests" / "php" / "front.php"
SCHEMA = REPO / "tests" / "php" / "schema"
EXTENSION = REPO / "connectors" / "opencart" / "extension"
START_SECONDS = 15
API_USER = "cartsync"

# variant -> (package file, folder of the package that is copied, where it goes in the store)
PACKAGES = {
    "api": ("cartsync-api.ocmod.zip", "upload/", ""),
    "extension3": ("cartsync-oc3.ocmod.zip", "upload/", ""),
    "extension4": ("cartsync.ocmod.zip", "", "extension/cartsync/"),
    "signed": ("cartsync.ocmod.zip", "", "extension/cartsync/"),
}


def schema_files(version: str) -> list[Path]:
    deltas = {"2.1": ["2.x"], "2.3": ["2.x"], "3.0": [], "4.0": ["4.x"], "4.1": ["4.x", "4.1"]}[version]
    return [SCHEMA / f"{name}.sql" for name in ("base", "data", *deltas)]


def missing() -> str | None:
    """Why no PHP store can run here, or None."""
    lacking = missing_tools()
    if shutil.which("php") is None:
        lacking.insert(0, "php")
    else:
        probe = subprocess.run(["php", "-r", "exit(extension_loaded('mysqli') ? 0 : 1);"], check=False)
        if probe.returncode != 0:
            lacking.insert(0, "php's mysqli extension")
    if not lacking:
        return None
    return (
        f"the extension's PHP cannot run here: {', '.join(lacking)} not found "
        "(apt-get install php-cli php-mysql mariadb-server-core mariadb-client-core; .ci/run does)"
    )


def unpack(package: Path, inside: str, root: Path, target: str) -> None:
    """Copies a package's files below `inside` to root/target, as the store's installer does."""
    with zipfile.ZipFile(package) as archive:
        for name in archive.namelist():
            if name.startswith(inside) and not name.endswith("/"):
                destination = root / target / name[len(inside):]
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.read(name))


class PhpStoreServer:
    """PHP's built-in server for one store root; the port comes from the server's own banner."""

    def __init__(self, root: Path, release: str, dsn_env: dict[str, str]) -> None:
        self.log = root.parent / "server.log"
        command = ["php", "-d", "display_errors=1", "-d", "error_reporting=-1", "-d", "log_errors=1",
                   "-d", f"error_log={root.parent / 'php-errors.log'}",
                   "-S", "127.0.0.1:0", "-t", str(root), str(FRONT)]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CARTSYNC_HARNESS_VERSION": release,
               **dsn_env}
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                ending_with_session(command), stdout=log, stderr=subprocess.STDOUT, env=env
            )
        self.url = self._wait_url()

    def _wait_url(self) -> str:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            found = re.search(r"\(http://(127\.0\.0\.1:\d+)\) started", self.log.read_text())
            if found:
                return f"http://{found.group(1)}"
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"php -S did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class PhpHarness:
    """Starts, on first use, the session's MariaDB server and one PHP store per (version, variant)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.mariadb: MariaDbServer | None = None
        self.stores: dict[tuple[str, str], RealStore] = {}
        self.servers: list[PhpStoreServer] = []

    def store(self, version: str, variant: str) -> RealStore:
        """The store of a variant, with the extension's packages built from this checkout."""
        if (version, variant) not in self.stores:
            self.stores[version, variant] = self.start_store(version, variant, EXTENSION)
        return self.stores[version, variant]

    def start_store(self, version: str, variant: str, extension: Path) -> RealStore:
        """A new store whose packages are built from `extension` (a copy of the extension's folder)."""
        name = f"oc{version.replace('.', '')}_{variant}_{len(self.servers)}"
        packages = self.root / name / "packages"
        subprocess.run([sys.executable, str(extension / "build.py"), str(packages)], check=True,
                       capture_output=True)
        dsn = self._database().create_database(name)
        key = self._install_schema(Database(dsn), version)
        root = self.root / name / "store"
        package, inside, target = PACKAGES[variant]
        unpack(packages / package, inside, root, target)
        server = PhpStoreServer(root, RELEASES[version], {
            "CARTSYNC_HARNESS_DB_SOCKET": dsn.socket or "", "CARTSYNC_HARNESS_DB_USER": dsn.user,
            "CARTSYNC_HARNESS_DB_PASSWORD": dsn.password, "CARTSYNC_HARNESS_DB_NAME": dsn.database,
        })
        self.servers.append(server)
        return RealStore(version, server.url, API_USER, key, variant, dsn, storefront=False)

    def _database(self) -> MariaDbServer:
        if self.mariadb is None:
            (self.root / "mariadb").mkdir()
            self.mariadb = MariaDbServer(self.root / "mariadb")
            self.mariadb.start()
        return self.mariadb

    @staticmethod
    def _install_schema(db: Database, version: str) -> str:
        """Loads the tables, then sets up what an integrator does: the API user (its key, 127.0.0.1
        allowed), on 2.1 chosen as the default API user, and on 4.x the module registered."""
        key = secrets.token_hex(32)
        name_column = "name" if version.startswith("2") else "username"
        setup = [path.read_text() for path in schema_files(version)]
        setup.append(
            f"INSERT INTO oc_api SET `{name_column}` = '{API_USER}', `key` = '{key}', status = 1,"
            " date_added = NOW(), date_modified = NOW();"
            " INSERT INTO oc_api_ip SET api_id = LAST_INSERT_ID(), ip = '127.0.0.1';"
        )
        if version == "2.1":
            setup.append(
                f"UPDATE oc_setting SET value = (SELECT api_id FROM oc_api WHERE name = '{API_USER}')"
                " WHERE `key` = 'config_api_id';"
            )
        if version.startswith("4"):  # Extensions > Extensions > Modules > cartsync > Install
            setup.append("INSERT INTO oc_extension SET extension = 'cartsync', type = 'module',"
                         " code = 'cartsync';")
        db.run("\n".join(setup))
        return key

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        if self.mariadb is not None:
            self.mariadb.stop()
