"""A throwaway PostgreSQL cluster: initdb into a temporary folder, a free port, its socket beside it.

`CARTSYNC_TEST_POSTGRES` (a URL to a maintenance database, for a role that may create databases)
uses a running server instead, as CI does with the one `.ci/run` starts.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from throwaway.ports import Missing, free_port

ENV = "CARTSYNC_TEST_POSTGRES"
USER = "cartsync"
SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200")


@dataclass(frozen=True)
class PostgresServer:
    admin_url: str  # the maintenance database, for a role that may create databases

    def url(self, database: str) -> str:
        parts = urlsplit(self.admin_url)
        return urlunsplit(parts._replace(path=f"/{database}"))

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        name = f"cartsync_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(statement)  # type: ignore[arg-type]  # names made here, not input


def binaries() -> Path:
    """The folder holding initdb and pg_ctl, or Missing with the fix."""
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    candidates += [Path(found) for found in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise Missing(
        "PostgreSQL is not installed: no initdb and pg_ctl on PATH nor in /usr/lib/postgresql/*/bin. "
        f"Install it (apt-get install postgresql) or set {ENV}=postgresql://user@host/postgres."
    )


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """The server named by CARTSYNC_TEST_POSTGRES, else a throwaway cluster."""
    if os.environ.get(ENV):
        yield PostgresServer(os.environ[ENV])
        return
    with throwaway_cluster() as server:
        yield server


@contextmanager
def throwaway_cluster() -> Iterator[PostgresServer]:
    bin_dir = binaries()
    folder = Path(tempfile.mkdtemp(prefix="cartsync-pg-"))
    run_as = _unprivileged(folder)
    data, port = folder / "data", free_port()
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 " + " ".join(
        f"-c {setting}" for setting in SETTINGS
    )
    try:
        initdb = [bin_dir / "initdb", "-D", data, "-A", "trust", "-U", USER, "--no-sync", "--locale=C"]
        _run([*initdb, "-E", "UTF8"], run_as)
        _run([bin_dir / "pg_ctl", "-D", data, "-w", "-l", folder / "log", "-o", options, "start"], run_as)
        try:
            yield PostgresServer(f"postgresql://{USER}@/postgres?host={folder}&port={port}")
        finally:
            _run([bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"], run_as)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _unprivileged(folder: Path) -> dict[str, Any]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` user."""
    if os.geteuid() != 0:
        return {}
    try:
        shutil.chown(folder, "postgres")
    except LookupError as error:
        raise Missing(
            "PostgreSQL refuses to run as root and there is no 'postgres' user to run it as "
            "(apt-get install postgresql creates it)."
        ) from error
    return {"user": "postgres"}


def _run(command: list[Any], run_as: dict[str, Any]) -> None:
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, **run_as)
    if result.returncode != 0:
        raise RuntimeError(f"{Path(str(command[0])).name} failed: {result.stderr or result.stdout}")
