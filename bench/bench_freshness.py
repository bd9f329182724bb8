"""P4, freshness: time from an order placed in the store to the order at the WMS, under serve.

`cartsync serve` runs the example client against the sandbox store (OpenCart 3.0) and the
sandbox WMS on 127.0.0.1. Orders are placed at random moments, and each one's arrival at the
WMS is timed, first by polling (order download every 15 s, one small request per idle poll),
then by push (the store's signed notification starts order download at once, with polling
slowed to once an hour). The baseline is the polling floor: an order placed at a random moment
waits on average half the interval, and at p95 0.95 of it, before the next poll even starts.
Target: p95 within 30 s at a 15 s interval.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from cartsync.connectors.opencart.sandbox.store import SandboxStore, start_sandbox_store
from cartsync.connectors.wms3pl.sandbox.server import SandboxWms, start_sandbox_wms
from cartsync.engine.serve.service import Serve

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-push-secret-0123456789"
TARGET_P95 = 30.0


def client_folder(target: Path, every: str, push: bool) -> Path:
    shutil.copytree(ROOT / "clients" / "example", target)
    for overlay in target.glob("*.yaml"):
        overlay.write_text(overlay.read_text().replace("../../mappings/", f"{ROOT}/mappings/"))
    entry = f"{{file: order_download.yaml, every: {every}, on_push: {str(push).lower()}}}"
    schedule = f"version: 1\npipelines:\n  - {entry}\n"
    if push:
        schedule += f"push: {{secret: {SECRET}}}\n"
    (target / "schedule.yaml").write_text(schedule)
    return target


def time_orders(store: SandboxStore, wms: SandboxWms, count: int, window: float) -> list[float]:
    """Place `count` orders at random moments within `window` seconds; each one's latency."""
    moments = sorted(random.uniform(0, window) for _ in range(count))
    placed: dict[str, float] = {}
    arrived: dict[str, float] = {}
    start = time.monotonic()

    def place() -> None:
        for moment in moments:
            time.sleep(max(0.0, start + moment - time.monotonic()))
            order_id = store.add_order("Processing")
            placed[f"OC-{order_id}"] = time.monotonic()

    placer = threading.Thread(target=place)
    placer.start()
    deadline = start + window + 120
    while (placer.is_alive() or len(arrived) < len(placed)) and time.monotonic() < deadline:
        now = time.monotonic()
        for order in wms.orders:
            reference = order["referenceNum"]
            if reference in placed and reference not in arrived:
                arrived[reference] = now
        time.sleep(0.01)
    placer.join()
    return [arrived[reference] - placed[reference] for reference in placed if reference in arrived]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(mode: str, interval: float, count: int, window: float) -> tuple[list[float], float]:
    """Latencies, and store requests per idle poll."""
    with (
        tempfile.TemporaryDirectory() as folder,
        start_sandbox_store("3.0", api_key="bench-key") as store,
        start_sandbox_wms(
            seed=ROOT / "demo" / "wms_seed.json", client_secret="bench-secret", user_login_id=17
        ) as wms,
    ):
        os.environ.update(
            EXAMPLE_STORE_URL=store.url,
            EXAMPLE_OC_KEY="bench-key",
            EXAMPLE_WMS_URL=wms.url,
            EXAMPLE_WMS_ID=wms.client_id,
            EXAMPLE_WMS_SECRET="bench-secret",
        )
        push = mode == "push"
        client = client_folder(Path(folder) / "bench", "1 hour" if push else f"{int(interval)} seconds", push)
        service = Serve([client], port=0)
        service.start()
        try:
            while not wms.orders:  # the first run sends the seeded orders
                time.sleep(0.05)
            if push:
                store.notify_to(f"{service.url}/push/bench", SECRET)
            idle_requests = idle_poll_cost(service, store, interval) if not push else float("nan")
            latencies = time_orders(store, wms, count, window)
        finally:
            service.stop()
    return latencies, idle_requests


def idle_poll_cost(service: Serve, store: SandboxStore, interval: float) -> float:
    """Store requests per idle poll, over two intervals with nothing new."""
    labels = {"client": "bench", "pipeline": "order_download", "result": "idle"}

    def idle_polls() -> float:
        return service.metrics.registry.get_sample_value("cartsync_idle_checks_total", labels) or 0.0

    polls_before, requests_before = idle_polls(), len(store.requests)
    time.sleep(2 * interval + 0.5)
    polls = idle_polls() - polls_before
    return (len(store.requests) - requests_before) / polls if polls else float("nan")


def report(mode: str, latencies: list[float], interval: float, count: int) -> float:
    p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    line = f"{mode:8} {len(latencies)}/{count} orders  p50 {p50:6.2f} s  p95 {p95:6.2f} s"
    line += f"  max {max(latencies):6.2f} s"
    if mode == "polling":
        floor = 0.95 * interval
        line += f"  (p95 / polling floor {floor:.2f} s = {p95 / floor:.2f}x)"
    print(line)
    return p95


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_freshness", description=__doc__)
    parser.add_argument("--interval", type=float, default=15.0, help="order download interval (s)")
    parser.add_argument("--orders", type=int, default=40, help="orders placed in polling mode (half in push)")
    parser.add_argument("--window", type=float, default=60.0, help="seconds over which they are placed")
    options = parser.parse_args(argv)
    logging.getLogger("cartsync").setLevel(logging.WARNING)
    interval = options.interval
    polled, per_poll = measure("polling", interval, options.orders, options.window)
    p95 = report("polling", polled, interval, options.orders)
    print(f"         store requests per idle poll: {per_poll:.2f}")
    verdict = "meets" if p95 <= TARGET_P95 and len(polled) == options.orders else "MISSES"
    print(f"         {verdict} the target: p95 <= {TARGET_P95:.0f} s at a {interval:.0f} s interval")
    pushed, _ = measure("push", interval, options.orders // 2, options.window / 3)
    report("push", pushed, interval, options.orders // 2)


if __name__ == "__main__":
    main()
