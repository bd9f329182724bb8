"""A fleet for worker tests and benchmarks: clients with their own sandbox store and WMS, and
Celery workers as real processes (each in its own process group, so a test can kill -9 one).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from celery import Celery

from cartsync.connectors.opencart.sandbox.store import SandboxStore, start_sandbox_store
from cartsync.connectors.wms3pl.sandbox.server import SandboxWms, start_sandbox_wms
from cartsync.engine.workers.tasks import RUN_TASK

ROOT = Path(__file__).resolve().parents[2]
PIPELINES = ("order_download", "shipment_confirmation", "inventory_sync")


@dataclass
class Client:
    name: str
    folder: Path
    store: SandboxStore
    wms: SandboxWms
    env: dict[str, str]

    def pipeline(self, name: str) -> Path:
        return self.folder / f"{name}.yaml"

    @property
    def schedule(self) -> Path:
        return self.folder / "schedule.yaml"


@contextmanager
def fleet_clients(
    root: Path, count: int, version: str = "4.1", schedule: str | None = None
) -> Iterator[list[Client]]:
    """`count` copies of the example client, c01 … cNN, each with its own sandboxes (and
    `schedule` as its schedule.yaml, when given)."""
    with ExitStack() as stack:
        clients = []
        for number in range(1, count + 1):
            name = f"c{number:02d}"
            prefix = name.upper()
            folder = root / name
            shutil.copytree(ROOT / "clients" / "example", folder)
            for overlay in folder.glob("*.yaml"):
                text = overlay.read_text().replace("../../mappings/", f"{ROOT}/mappings/")
                overlay.write_text(text.replace("EXAMPLE_", f"{prefix}_"))
            if schedule is not None:
                (folder / "schedule.yaml").write_text(schedule)
            store = stack.enter_context(start_sandbox_store(version, api_key=f"{name}-key"))
            wms = stack.enter_context(
                start_sandbox_wms(seed=ROOT / "demo" / "wms_seed.json", client_secret=f"{name}-secret",
                                  user_login_id=17)
            )
            env = {
                f"{prefix}_STORE_URL": store.url,
                f"{prefix}_OC_KEY": f"{name}-key",
                f"{prefix}_WMS_URL": wms.url,
                f"{prefix}_WMS_ID": wms.client_id,
                f"{prefix}_WMS_SECRET": f"{name}-secret",
            }
            clients.append(Client(name, folder, store, wms, env))
        yield clients


def worker_env(state: str, broker: str, clients: list[Client]) -> dict[str, str]:
    """What every worker of the fleet needs: the state store, the broker, each client's secrets."""
    env = {"CARTSYNC_STATE": state, "CARTSYNC_BROKER": broker}
    for client in clients:
        env.update(client.env)
    return env


class Workers:
    """Celery workers started with `cartsync worker` (and beat), sharing one environment."""

    def __init__(self, env: dict[str, str], logs: Path, log_format: str = "text") -> None:
        self.env = {**os.environ, **env}
        self.logs = logs
        self.log_format = log_format
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, concurrency: int = 2) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "cartsync.cli", "worker", "--name", name,
             "--concurrency", str(concurrency), "--log-format", self.log_format],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def start_beat(self, clients: list[Client]) -> None:
        """`cartsync beat` for the clients' schedules, as the process named `beat`."""
        log = (self.logs / "beat.log").open("ab")
        self.processes["beat"] = subprocess.Popen(
            [sys.executable, "-m", "cartsync.cli", "beat", "--log-format", self.log_format,
             *(str(client.folder) for client in clients)],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def stop(self, name: str) -> None:
        """SIGTERM, as an operator stopping the process; wait for it to end."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

    def kill(self, name: str) -> None:
        """kill -9 the worker and its pool processes at once, as a machine that loses power."""
        os.killpg(self.processes.pop(name).pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for process in self.processes.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.logs.glob("*.log")))


@contextmanager
def workers(env: dict[str, str], logs: Path, log_format: str = "text") -> Iterator[Workers]:
    logs.mkdir(parents=True, exist_ok=True)
    pool = Workers(env, logs, log_format)
    try:
        yield pool
    finally:
        pool.stop_all()


def sender(broker: str) -> Celery:
    """A Celery client that only sends tasks, by name, as beat does."""
    return Celery("cartsync-test-sender", broker=broker, set_as_current=False)


def send_run(app: Celery, client: Client, pipeline: str) -> None:
    """Ask for a run of the client's pipeline now, as beat does when it is due."""
    app.send_task(RUN_TASK, args=(str(client.schedule), str(client.pipeline(pipeline))), queue="cartsync")


def wait_until(check, timeout: float, every: float = 0.5) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return bool(check())


_FRAME = re.compile(r'^\s*File "([^"]+)", line \d+', re.MULTILINE)
_LIBRARIES = (f"{os.sep}site-packages{os.sep}", f"{os.sep}lib{os.sep}python3")


def tracebacks_through_our_code(log: str) -> list[str]:
    """The worker log's tracebacks that pass through cartsync's own code. Celery logs one of its
    own, with only its and kombu's frames, when it reconnects to a restarted broker; that is the
    broker client recovering, not a run failing, so it is left out."""
    ours = []
    for block in log.split("Traceback (most recent call last):")[1:]:
        if any(_is_ours(path) for path in _FRAME.findall(block)):
            ours.append(block[:2000])
    return ours


def _is_ours(path: str) -> bool:
    """A frame of cartsync: in the checkout, or in an installed `cartsync` package."""
    return f"{os.sep}cartsync{os.sep}" in path or not any(part in path for part in _LIBRARIES)
