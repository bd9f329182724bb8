"""A MariaDB server of the test session's own: a fresh data folder, reachable only through a
Unix socket (no TCP port), stopped at the end. One database per store is created in it."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path

from realstore_db import Database
from realstore_stores import Dsn

SBIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
START_SECONDS = 30
USER = "cartsync"


def ending_with_session(command: list[str]) -> list[str]:
    """The command, run so that it gets SIGTERM when the test session dies, even by SIGKILL (with
    util-linux's setpriv), so no server outlives an interrupted run."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--", *command] if setpriv else command


def _tool(*names: str) -> str | None:
    return next((found for name in names if (found := shutil.which(name, path=SBIN_PATH))), None)


def missing_tools() -> list[str]:
    """The MariaDB programs this machine lacks (server, installer, client)."""
    wanted = {
        "mariadbd": ("mariadbd", "mysqld"),
        "mariadb-install-db": ("mariadb-install-db", "mysql_install_db"),
        "mysql": ("mysql",),
    }
    return [name for name, candidates in wanted.items() if _tool(*candidates) is None]


class MariaDbServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.socket = str(root / "mysqld.sock")
        self.password = secrets.token_hex(12)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        data = self.root / "data"
        log = self.root / "error.log"
        as_root = ["--user=root"] if os.geteuid() == 0 else []
        subprocess.run(
            [_tool("mariadb-install-db", "mysql_install_db") or "", "--no-defaults", *as_root,
             f"--datadir={data}", "--auth-root-authentication-method=normal", "--skip-test-db",
             "--skip-name-resolve", "--force"],  # --force: no need for a host name that resolves
            check=True, capture_output=True, timeout=120,
        )
        server = [_tool("mariadbd", "mysqld") or "", "--no-defaults", *as_root, f"--datadir={data}",
                  f"--socket={self.socket}", f"--pid-file={self.root / 'mysqld.pid'}", f"--log-error={log}",
                  "--skip-networking", "--skip-name-resolve", "--skip-log-bin",
                  "--innodb-buffer-pool-size=32M", "--innodb-flush-log-at-trx-commit=0",
                  "--character-set-server=utf8mb4"]
        self.process = subprocess.Popen(
            ending_with_session(server), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self._wait_ready(log)
        self._admin().run(
            f"CREATE USER '{USER}'@'localhost' IDENTIFIED BY '{self.password}';"
        )

    def _admin(self, database: str = "mysql") -> Database:
        return Database(Dsn("root", "", "localhost", 0, database, self.socket))

    def _wait_ready(self, log: Path) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"MariaDB exited at start: {log.read_text()[-2000:]}")
            if Path(self.socket).exists() and self._answers():
                return
            time.sleep(0.1)
        raise RuntimeError(f"MariaDB did not answer within {START_SECONDS} s: {log.read_text()[-2000:]}")

    def _answers(self) -> bool:
        ping = [_tool("mysql") or "mysql", f"--socket={self.socket}", "--user=root", "-e", "SELECT 1"]
        return subprocess.run(ping, capture_output=True, timeout=10, check=False).returncode == 0

    def create_database(self, name: str) -> Dsn:
        """A new, empty database that the session's user may use."""
        self._admin().run(
            f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4;"
            f" GRANT ALL ON `{name}`.* TO '{USER}'@'localhost';"
        )
        return Dsn(USER, self.password, "localhost", 0, name, self.socket)

    def stop(self) -> None:
        """Stops the server and removes its data folder (some 100 MB)."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None
        shutil.rmtree(self.root / "data", ignore_errors=True)
