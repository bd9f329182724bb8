"""Direct database access to a real store (through the `mysql` client), to seed test rows and
check what the extension wrote."""

from __future__ import annotations

import subprocess

from realstore_stores import Dsn


class Database:
    def __init__(self, dsn: Dsn) -> None:
        self.dsn = dsn

    def run(self, sql: str) -> list[list[str]]:
        """Runs SQL (non-strict mode, like OpenCart's own connection); returns rows of strings."""
        dsn = self.dsn
        server = [f"--socket={dsn.socket}"] if dsn.socket else [f"--host={dsn.host}", f"--port={dsn.port}"]
        result = subprocess.run(
            ["mysql", "--batch", "--raw", "--skip-column-names",
             "--default-character-set=utf8mb4",  # as OpenCart talks to its database
             *server, f"--user={dsn.user}", dsn.database],
            input="SET SESSION sql_mode = '';\n" + sql,
            capture_output=True,
            text=True,
            timeout=30,
            env={"MYSQL_PWD": dsn.password, "PATH": "/usr/bin:/bin:/usr/local/bin"},
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return [line.split("\t") for line in result.stdout.splitlines()]

    def value(self, sql: str) -> str:
        return self.run(sql)[0][0]
