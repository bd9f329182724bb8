"""Pipelines as Celery tasks on several workers, with PostgreSQL state and a Redis broker.

- `app.py`: the Celery app (`celery -A cartsync.engine.workers.app worker` works as well as
  `cartsync worker`) and its settings from the environment.
- `tasks.py`: `cartsync.run_pipeline`, one run of one client's pipeline.
- `beat.py`: Celery beat entries from the clients' schedules, the same files `cartsync serve` reads.

What keeps two workers from running one pipeline at once is the pipeline's run lock in the
PostgreSQL state store, not Celery: a task that finds the lock held does nothing.
"""
