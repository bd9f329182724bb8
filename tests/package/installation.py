"""cartsync as a user installs it: a wheel built with `pip wheel`, installed in a fresh virtual
environment in a temporary folder outside the checkout, and its `cartsync` command run there with
an environment that names no checkout path (no PYTHONPATH, no VIRTUAL_ENV)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
# what a source distribution would leave out: local state, caches, the tests and benchmarks
LEFT_OUT = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".cartsync",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "tests",
    "bench",
    "out",
)


@dataclass
class Installed:
    """A virtual environment holding only cartsync's wheel and its dependencies."""

    root: Path
    wheel: Path
    build_log: str  # what building the wheel printed on stderr

    @property
    def python(self) -> Path:
        return self.root / "venv" / "bin" / "python"

    @property
    def command(self) -> Path:
        return self.root / "venv" / "bin" / "cartsync"

    def environment(self, **extra: str) -> dict[str, str]:
        keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE")
        env = {name: os.environ[name] for name in keep if name in os.environ}
        return {**env, "PYTHONUNBUFFERED": "1", "COLUMNS": "200", **extra}

    def run(self, *args: str, cwd: Path, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.command), *args],
            cwd=cwd,
            env=self.environment(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    @contextmanager
    def serving(self, *args: str, cwd: Path, ready: str) -> Iterator[tuple[str, str]]:
        """Run a server command until the block ends (then Ctrl-C, as a person stops it); yields
        its URL (the first line matching `ready`, a regex with a `url` group) and what it printed."""
        process = subprocess.Popen(
            [str(self.command), *args],
            cwd=cwd,
            env=self.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        printed: list[str] = []
        try:
            for line in process.stdout or ():
                printed.append(line)
                match = re.search(ready, line)
                if match:
                    break
            else:
                raise AssertionError(f"{' '.join(args)} stopped before serving:\n{''.join(printed)}")
            for line in process.stdout or ():  # the lines printed before it serves
                printed.append(line)
                if "Ctrl-C" in line:
                    break
            yield match["url"], "".join(printed)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            finally:
                process.kill()
        assert process.returncode is not None


def pip(*args: str) -> str:
    """Run pip quietly; what it printed on stderr (warnings, such as a build's)."""
    return subprocess.run(
        [sys.executable, "-m", "pip", "--quiet", *args],
        check=True,
        timeout=240,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ).stderr
