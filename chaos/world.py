"""One chaos world: both sandboxes in this process (which is never killed), a client folder that
points the shipped pipelines at them, a state store, and `cartsync run pipeline` as real child
processes that may be killed at any request.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from cartsync.connectors.opencart.sandbox.store import DEFAULT_SEED, SandboxStore, start_sandbox_store
from cartsync.connectors.wms3pl.sandbox.server import SandboxWms, start_sandbox_wms
from cartsync.engine.state import Lease, LedgerRow, StateStore

ROOT = Path(__file__).resolve().parent.parent
MAPPINGS = ROOT / "mappings"
STORE_KEY, WMS_SECRET = "chaos-store-key", "chaos-wms-secret"
SECRETS = {"CHAOS_STORE_KEY": STORE_KEY, "CHAOS_WMS_SECRET": WMS_SECRET}
TEMPLATE_ORDER = 1001  # the seed order every placed order copies (two lines, a mapped ship method)
CONNECTIONS = """\
store: {{connector: opencart, store_url: '{store}', api_username: cartsync,
        api_key: '${{CHAOS_STORE_KEY}}'}}
warehouse: {{connector: wms3pl, base_url: '{wms}', client_id: sandbox-client,
            client_secret: '${{CHAOS_WMS_SECRET}}', user_login_id: 17, customer_id: 1077, facility_id: 1}}
"""
# The shipped pipelines, as a client would use them. Retries are due at once (`0 minutes`): the
# runs are real processes on the real clock, and the suite is about what arrives, not when.
OVERLAY = "extends: {base}\nledger: {{retry_every: 0 minutes}}\n"
PIPELINES = ("order_download", "shipment_confirmation", "inventory_sync")
LOCK_HELD = "Another run of pipeline"  # cartsync's words when a live lease refused the run
LEASE_LOST = "lost its lease"  # … and when a run stalled so long that its own lease expired


@dataclass
class RunExit:
    """How one `cartsync run pipeline` process ended."""

    code: int
    log: Path

    @property
    def killed(self) -> bool:
        return self.code == -9

    seconds: float

    @property
    def refused_by_lease(self) -> bool:
        return self.code == 4 and LOCK_HELD in self._output()

    @property
    def lost_lease(self) -> bool:
        """It stalled longer than its lease and stopped before sending more (as designed)."""
        return self.code == 4 and LEASE_LOST in self._output()

    def _output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


class World:
    """Start with `World.open(folder, …)`; `close()` stops the sandboxes."""

    def __init__(self, folder: Path, store: SandboxStore, wms: SandboxWms, lease: float) -> None:
        self.folder = folder
        self.store = store
        self.wms = wms
        self.lease_seconds = lease
        self.state = folder / "state.db"
        self.client = folder / "client"
        self.client.mkdir(parents=True, exist_ok=True)
        (self.client / "connections.yaml").write_text(CONNECTIONS.format(store=store.url, wms=wms.url))
        for name in PIPELINES:
            (self.client / f"{name}.yaml").write_text(OVERLAY.format(base=MAPPINGS / f"{name}.yaml"))
        self.processes = 0
        # The suite starts hundreds of processes: they keep their bytecode beside the worlds
        # (never in the checkout), instead of compiling cartsync again each time.
        self.pycache = folder.parent / "pycache"

    @classmethod
    def open(cls, folder: Path, *, lease: float, store_version: str, wms_seed: dict[str, Any] | Path,
             products: Sequence[dict[str, Any]] = ()) -> World:
        """Both sandboxes on free ports: a store that holds only the template order (so every order
        it sends was placed by the suite) plus `products`, and a WMS whose duplicate check is off."""
        folder.mkdir(parents=True, exist_ok=True)
        seed = json.loads(DEFAULT_SEED.read_text(encoding="utf-8"))
        seed["orders"] = [order for order in seed["orders"] if order["order_id"] == TEMPLATE_ORDER]
        seed["products"] = seed["products"] + list(products)
        store_seed = folder / "store_seed.json"
        store_seed.write_text(json.dumps(seed))
        store = start_sandbox_store(store_version, seed=store_seed, api_key=STORE_KEY)
        wms = start_sandbox_wms(seed=copy.deepcopy(wms_seed) if isinstance(wms_seed, dict) else wms_seed,
                                client_secret=WMS_SECRET, user_login_id=17)
        wms.set_duplicate_check(False)
        return cls(folder, store, wms, lease)

    def close(self) -> None:
        self.store.stop()
        self.wms.stop()

    def pipeline(self, name: str) -> Path:
        return self.client / f"{name}.yaml"

    # -- the sandboxes, as an operator drives them over HTTP ---------------------------------------

    def place_orders(self, count: int, status: str = "Processing") -> list[int]:
        """New store orders through the store's operator route; their ids."""
        ids: list[int] = []
        while len(ids) < count:
            reply = requests.post(f"{self.store.url}/_sandbox/orders", timeout=60,
                                  json={"count": min(1000, count - len(ids)), "status": status})
            reply.raise_for_status()
            ids += reply.json()["order_ids"]
        return ids

    def history(self) -> list[dict[str, Any]]:
        return _get(f"{self.store.url}/_sandbox/history")["history"]

    def mail(self) -> list[dict[str, Any]]:
        return _get(f"{self.store.url}/_sandbox/mail")["mail"]

    def break_store(self, mix: dict[str, float], seed: int) -> None:
        """Every store request (`*`) fails as a kind drawn from `mix`, one seeded draw each."""
        for index, (kind, probability) in enumerate(mix.items()):
            fault = {"route": "*", "kind": kind, "probability": probability}
            _post(f"{self.store.url}/_sandbox/faults", fault | ({"seed": seed} if index == 0 else {}))

    def break_wms(self, mix: dict[str, float], seed: int) -> None:
        """Every WMS request (`*`) fails as a kind drawn from `mix`, one seeded draw each."""
        _post(f"{self.wms.url}/_sandbox/fault-mix", {"route": "*", "mix": mix, "seed": seed})

    def clear_faults(self) -> None:
        _post(f"{self.store.url}/_sandbox/faults/clear", {})
        _post(f"{self.wms.url}/_sandbox/clear-faults", {})

    def faults_fired(self) -> int:
        reports = (_get(f"{self.store.url}/_sandbox/faults"), _get(f"{self.wms.url}/_sandbox/faults"))
        return sum(entry["count"] for report in reports for entry in report["fired"])

    # -- cartsync --------------------------------------------------------------------------------

    def start(self, pipeline: str) -> tuple[subprocess.Popen[bytes], Path]:
        """`cartsync run pipeline` as a child process, its output in a log file."""
        self.processes += 1
        log = self.folder / "logs" / f"{self.processes:03d}-{pipeline}.log"
        log.parent.mkdir(exist_ok=True)
        command = [sys.executable, "-m", "cartsync.cli", "run", "pipeline", str(self.pipeline(pipeline)),
                   "--state", str(self.state), "--lease", str(self.lease_seconds)]
        environment = {**os.environ, **SECRETS, "COLUMNS": "200", "PYTHONPYCACHEPREFIX": str(self.pycache)}
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        with log.open("wb") as output:
            process = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT,
                                       cwd=self.folder)
        return process, log

    def run(self, pipeline: str, timeout: float = 600) -> RunExit:
        started = time.monotonic()
        process, log = self.start(pipeline)
        return RunExit(process.wait(timeout=timeout), log, time.monotonic() - started)

    # -- the state store, read between runs ------------------------------------------------------

    def _state(self) -> StateStore:
        return StateStore.open(self.state)

    def lease(self, pipeline: str) -> Lease | None:
        store = self._state()
        try:
            return store.lease(pipeline)
        finally:
            store.close()

    def runs(self, pipeline: str) -> list[dict[str, Any]]:
        """Every run of the pipeline, newest first."""
        store = self._state()
        try:
            return store.runs(pipeline, limit=1_000_000)
        finally:
            store.close()

    def ledger(self, entity: str) -> dict[str, LedgerRow]:
        store = self._state()
        try:
            return {row.key: row for row in store.rows(entity)}
        finally:
            store.close()

    def wait_for_lease(self, pipeline: str) -> None:
        """Until the pipeline's lease (of a run that was killed) has expired."""
        lease = self.lease(pipeline)
        if lease is not None:
            time.sleep(max(0.0, lease.expires_at - time.time()) + 0.02)


def _post(url: str, body: dict[str, Any]) -> None:
    requests.post(url, json=body, timeout=60).raise_for_status()


def _get(url: str) -> dict[str, Any]:
    reply = requests.get(url, timeout=60)
    reply.raise_for_status()
    return reply.json()
