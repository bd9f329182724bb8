"""Where a real process matters: memory and time of a refused YAML bomb, and sandbox servers that
must not start on a bad port or seed (a bug here would serve forever, so each runs with a timeout)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

TIMEOUT = 120

MEASURE = textwrap.dedent(
    """
    import json, sys, time
    from cartsync.cli import app
    started = time.perf_counter()
    try:
        app(sys.argv[1:], prog_name="cartsync")
    except SystemExit as exit:
        code = exit.code
    seconds = time.perf_counter() - started
    # This process's own peak (VmHWM). getrusage's ru_maxrss would be at least the peak of the
    # process that started it (Linux carries it over exec), here the whole test session's.
    with open("/proc/self/status") as status:
        peak_mb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    print(json.dumps({"code": code, "seconds": seconds, "peak_mb": peak_mb}), file=sys.stderr)
    """
)


def _bomb(levels: int = 12) -> str:
    """Each level ten times the one before: 10**12 values if expanded."""
    lines = ["settings:", "  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("file", ["overlay.yaml", "connections.yaml"])
def test_a_yaml_bomb_is_refused_quickly_in_little_memory(tmp_path: Path, file: str):
    bomb = tmp_path / file
    bomb.write_text(_bomb())
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, "validate", str(bomb)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=tmp_path,
    )
    measured = json.loads(result.stderr.strip().splitlines()[-1])
    assert measured["code"] == 2, result.stdout
    assert f"{bomb}:5:" in result.stdout
    assert "YAML aliases here expand to more than 10,000 values" in result.stdout
    assert measured["seconds"] < 2, measured  # the refusal, not the interpreter's start
    assert measured["peak_mb"] < 200, measured


def _cartsync(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cartsync.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd)


@pytest.mark.parametrize("sandbox", ["store", "wms"])
def test_a_sandbox_refuses_a_port_out_of_range(tmp_path: Path, sandbox: str):
    result = _cartsync("sandbox", sandbox, "--port", "99999", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "error: Port 99999 is not a port number (0 to 65535)." in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("sandbox", ["store", "wms"])
def test_a_sandbox_refuses_a_port_in_use(tmp_path: Path, sandbox: str):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _cartsync("sandbox", sandbox, "--port", str(port), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"error: Port {port} on 127.0.0.1 is already in use." in result.stderr
    assert "hint: choose another --port, or 0 for a free one" in result.stderr


def test_the_sandbox_wms_refuses_a_seed_that_is_not_json(tmp_path: Path):
    (tmp_path / "README.md").write_text("# Notes\n\nNot a seed.\n")
    result = _cartsync("sandbox", "wms", "--port", "0", "--seed", "README.md", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "README.md:1:1: the seed file is not JSON (Expecting value)." in result.stderr
    assert "Traceback" not in result.stderr
