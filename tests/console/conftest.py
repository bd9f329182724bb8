"""Console fixtures: a real console server (uvicorn on a free port), its users, a state store with
a small ledger, and Debian's Chromium driven by Playwright (skipped, saying why, when missing).

The end-to-end tests reuse the e2e suite's `world` (both sandboxes and the example client)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from console_helpers import PASSWORDS, SECRET, seed_ledger

from cartsync.console.app import create_app
from cartsync.console.auth import AuthSettings
from cartsync.console.users import OPERATOR, VIEWER, User, UserFile, hash_password
from cartsync.engine.serve.http import HttpServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _load_e2e_fixtures() -> Any:
    spec = importlib.util.spec_from_file_location(
        "cartsync_e2e_fixtures", ROOT / "tests" / "e2e" / "conftest.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_e2e = _load_e2e_fixtures()
world = _e2e.world  # the sandboxes and the example client, exactly as the e2e suite runs them
edit = _e2e.edit


@pytest.fixture(scope="session")
def password_hashes() -> dict[str, str]:
    return {name: hash_password(password) for name, password in PASSWORDS.items()}  # scrypt: once


@pytest.fixture
def users(tmp_path: Path, password_hashes: dict[str, str]) -> UserFile:
    user_file = UserFile(tmp_path / "users.yaml")
    user_file.save(User("olivia", OPERATOR, password_hashes["olivia"]))
    user_file.save(User("victor", VIEWER, password_hashes["victor"]))
    return user_file


@pytest.fixture
def start_console(users: UserFile) -> Iterator[Callable[..., HttpServer]]:
    """start_console(state, auth=…, **create_app options) → a console served on a free port."""
    servers: list[HttpServer] = []

    def start(state: Path | str, auth: AuthSettings | None = None, **options: Any) -> HttpServer:
        server = HttpServer(create_app(state, users, secret=SECRET, auth=auth, **options), "127.0.0.1", 0)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """A SQLite state store with a small ledger (the pages' tests)."""
    path = tmp_path / "state.db"
    seed_ledger(path)
    return path


@pytest.fixture
def any_ledger(state_backend: str) -> str:
    """The same small ledger in a SQLite file, then in a PostgreSQL schema (the state layer's tests)."""
    seed_ledger(state_backend)
    return state_backend


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip(
            "Chromium is not installed: apt-get install -y chromium chromium-driver (as .ci/run does)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page; a phone-sized one is `page.set_viewport_size`."""
    context = chromium.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
