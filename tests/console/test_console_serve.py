"""The console inside `cartsync serve --console`: one per client at /console/<client>/, over that
client's state store, with serve's next runs and pipeline health; off unless asked for."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs

import requests
from console_helpers import SECRET, form_token

from cartsync.console.mount import console_routes
from cartsync.engine.serve.service import Serve
from cartsync.engine.state import StateStore
from cartsync.engine.state.monitoring import Monitoring

CARTSYNC = Path(sys.executable).with_name("cartsync")
HOURLY = """version: 1
pipelines:
  - {file: order_download.yaml, every: 1 hour}
"""


def acme(example_client, tmp_path: Path) -> Path:
    client = example_client(tmp_path / "acme")
    (client / "schedule.yaml").write_text(HOURLY)
    return client


def sign_in_at(session: requests.Session, url: str, name: str, password: str) -> requests.Response:
    """Ask for `url`, sign in on the form it leads to, and land where it leads after."""
    login = session.get(url)
    assert "/login" in login.url, login.url
    form, _, query = login.url.partition("?")
    wanted = parse_qs(query).get("next", [""])[0]
    return session.post(
        form,
        data={"username": name, "password": password, "csrf_token": form_token(login.text), "next": wanted},
    )


def test_serve_mounts_a_console_per_client_with_its_next_runs_and_health(
    tmp_path, example_sandboxes, example_client, users
):
    client = acme(example_client, tmp_path)
    with example_sandboxes("3.0", "console") as (_, wms):
        service = Serve(
            [client],
            port=0,
            reload_every=0.1,
            check_every=0.1,
            mounts=lambda clients: console_routes(clients, users.path, secret=SECRET),
        )
        service.start()
        try:
            store = StateStore.open(client / ".cartsync" / "state.db")
            try:
                deadline = time.monotonic() + 20
                while not Monitoring(store).health("acme", "order_download").last_success_at:
                    assert time.monotonic() < deadline, "no successful run"
                    time.sleep(0.05)
            finally:
                store.close()
            session = requests.Session()
            assert session.get(service.url + "/console/acme/", allow_redirects=False).status_code == 303
            home = sign_in_at(session, service.url + "/console", "victor", "victor-viewer-pw")
            assert home.url == service.url + "/console/acme/" and "Overview" in home.text
            row = home.text.split(">order_download</a>", 1)[1].split("</tr>", 1)[0]
            assert re.search(r"in (59 min|1 h)<", row), row  # serve's next run, an hour after the first
            assert "healthy" in row and "never" not in row  # its last success, as serve recorded it
            orders = session.get(service.url + "/console/acme/orders?status=at_wms").text
            assert len(wms.orders) == 5 and "1–5 of 5" in orders  # the client's own ledger
            assert requests.get(service.url + "/metrics", timeout=5).status_code == 200  # serve's routes stay
        finally:
            service.stop(grace=5)


def test_cartsync_serve_serves_the_console_only_with_the_option(
    tmp_path, example_sandboxes, example_client, users, monkeypatch
):
    client = acme(example_client, tmp_path)
    monkeypatch.setenv("CARTSYNC_CONSOLE_SECRET", SECRET)
    with example_sandboxes("3.0", "console"):
        with serving(client, "--console", str(users.path)) as url:
            assert url.startswith("http://127.0.0.1:")  # the default address: this machine only
            session = requests.Session()
            reply = sign_in_at(session, url + "/console/acme/runs", "olivia", "olivia-operator-pw")
            assert reply.status_code == 200 and reply.url == url + "/console/acme/runs"
            assert "order_download" in reply.text
        with serving(client) as url:
            assert requests.get(url + "/console", timeout=5).status_code == 404
            assert requests.get(url + "/console/acme/", timeout=5).status_code == 404


class serving:
    """`with serving(client, *options) as url`: a real `cartsync serve` process, stopped with SIGTERM."""

    def __init__(self, client: Path, *options: str) -> None:
        self.command = [str(CARTSYNC), "serve", str(client), "--port", "0", "--log-format", "json", *options]

    def __enter__(self) -> str:
        self.process = subprocess.Popen(
            self.command, stderr=subprocess.PIPE, text=True, env=os.environ.copy()
        )
        lines: queue.Queue[str] = queue.Queue()
        stderr = self.process.stderr
        threading.Thread(target=lambda: [lines.put(line) for line in stderr], daemon=True).start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                entry = json.loads(lines.get(timeout=max(0.0, deadline - time.monotonic())))
            except (queue.Empty, ValueError):
                continue
            if entry.get("event") == "serve_started":
                return entry["url"]
        self.process.kill()
        raise AssertionError("cartsync serve did not start")

    def __exit__(self, *exc: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        finally:
            self.process.kill()
