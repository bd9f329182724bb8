"""Pipelines as Celery tasks on several workers, with PostgreSQL state and a Redis broker.

- `app.py`: the Celery app (`celery -A cartsync.engine.workers.app worker` works as well as
  `cartsync worker`) and its settings from the environment.
- `tasks.py`: `cartsync.run_pipeline`, one run of one client's pipeline; `turn.py` runs it as
  `cartsync serve` runs one (`engine.scheduled_run`), from the client's schedule file.
- `beat.py`: Celery beat's scheduler over the clients' schedule.yaml files, the same files, loader
  and model as `cartsync serve`.

What keeps two workers from running one pipeline at once is the pipeline's lease in the
PostgreSQL state store, not Celery: a task that finds the lease held does nothing. A worker killed
mid-run stops renewing its lease; once it expires (CARTSYNC_LEASE_SECONDS), the next run of that
pipeline, on any worker, takes it over and settles what the dead run left in flight.
"""
