"""The Celery app: `celery -A cartsync.engine.workers.app worker|beat|flower` or `cartsync worker|beat`.

Tasks are acknowledged after they ran (`acks_late`), and a task whose worker died is handed to
another worker (`reject_on_worker_lost`; after the broker's visibility timeout when the whole
worker died). A run is safe to repeat: the ledger sends nothing twice and the lease keeps
two runs of one pipeline apart. Each worker takes one task at a time per process.
"""

from __future__ import annotations

from celery import Celery

from cartsync.engine.workers.settings import worker_settings

settings = worker_settings()
app = Celery("cartsync", include=["cartsync.engine.workers.tasks"])
app.conf.update(
    broker_url=settings.broker,
    broker_connection_retry_on_startup=True,
    broker_transport_options={"visibility_timeout": settings.visibility_timeout},
    task_default_queue="cartsync",
    task_serializer="json",
    accept_content=["json"],
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_ignore_result=True,  # a run's outcome is in the state store, not in a result backend
    task_time_limit=settings.max_run_timeout,
    worker_prefetch_multiplier=1,
    worker_max_tasks_per_child=200,
    beat_scheduler="cartsync.engine.workers.beat:ClientSchedules",  # entries from schedule.yaml files
    timezone="UTC",
    enable_utc=True,
)
