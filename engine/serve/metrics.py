"""The Prometheus metrics `cartsync serve` exposes at /metrics, in a registry of its own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

PIPELINE = ("client", "pipeline")
RUN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)


class ServeMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.runs = Counter(
            "cartsync_runs", "Pipeline runs by how they ended.", [*PIPELINE, "status"], registry=r
        )
        self.records = Counter(
            "cartsync_records", "Records handled by runs, by outcome.", [*PIPELINE, "outcome"], registry=r
        )
        self.held = Gauge(
            "cartsync_held_records", "Records held in error until a person acts.", PIPELINE, registry=r
        )
        self.duration = Histogram(
            "cartsync_run_duration_seconds", "How long runs take.", PIPELINE, buckets=RUN_BUCKETS, registry=r
        )
        self.last_success = Gauge(
            "cartsync_last_success_timestamp_seconds",
            "When the last clean run ended (Unix time).",
            PIPELINE,
            registry=r,
        )
        self.lag = Gauge(
            "cartsync_oldest_unsent_age_seconds",
            "Age of the oldest record read but not yet delivered (pending or waiting for a retry).",
            PIPELINE,
            registry=r,
        )
        self.running = Gauge(
            "cartsync_run_in_progress", "1 while a run of the pipeline is going on.", PIPELINE, registry=r
        )
        self.idle_checks = Counter(
            "cartsync_idle_checks",
            "Cheap checks before a run: idle (run skipped), changed or unknown.",
            [*PIPELINE, "result"],
            registry=r,
        )
        self.pushes = Counter(
            "cartsync_push_notifications",
            "Store notifications received, by result.",
            ["client", "result"],
            registry=r,
        )
        self.alerts = Counter(
            "cartsync_alerts",
            "Alerts by event, channel and delivery result.",
            ["client", "event", "channel", "result"],
            registry=r,
        )
        self.reloads = Counter(
            "cartsync_config_reloads",
            "Changed client files: applied or rejected.",
            ["client", "result"],
            registry=r,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
