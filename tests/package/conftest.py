"""Fixtures: cartsync's wheel installed in a fresh virtual environment outside the checkout (once
per test session), and an empty folder outside the checkout to run commands in."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from installation import CHECKOUT, LEFT_OUT, Installed, pip


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("installed")
    assert not root.resolve().is_relative_to(CHECKOUT), "the installation must live outside the checkout"
    source = root / "source"
    shutil.copytree(CHECKOUT, source, ignore=LEFT_OUT)
    compiled = source / "connectors" / "opencart" / "extension" / "__pycache__"  # as `make bench` leaves it
    compiled.mkdir()
    (compiled / "build.cpython-311.pyc").write_bytes(b"")
    build_log = pip("wheel", "--no-deps", "--wheel-dir", str(root / "dist"), str(source))
    (wheel,) = (root / "dist").glob("cartsync-*.whl")
    venv = [sys.executable, "-m", "venv", "--without-pip", str(root / "venv")]
    subprocess.run(venv, check=True, timeout=60)
    pip("--python", str(root / "venv" / "bin" / "python"), "install", str(wheel))
    shutil.rmtree(source)
    return Installed(root, wheel, build_log)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty folder outside the checkout to run commands in."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder
