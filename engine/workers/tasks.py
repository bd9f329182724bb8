"""`cartsync.run_pipeline`: one scheduled run of one client's pipeline, on whichever worker takes it."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from cartsync.engine.serve.logs import log_event
from cartsync.engine.workers.app import app, settings
from cartsync.engine.workers.turn import WorkerTurn

RUN_TASK = "cartsync.run_pipeline"
LOGGER = "cartsync.worker"
logger = logging.getLogger(LOGGER)
_QUIET = ("ok", "failed", "idle", "lease_held")  # the statuses logged at INFO


@app.task(name=RUN_TASK, acks_late=True, reject_on_worker_lost=True)
def run_pipeline(schedule: str, pipeline: str) -> dict[str, Any]:
    """Run `pipeline` (a pipeline file) of the client whose schedule file is `schedule`; both are
    paths every worker can read.

    Repeating it is harmless, so a redelivered task is simply run again. Another run of the same
    pipeline in progress (on any worker) makes this one do nothing (`lease_held`): the schedule
    brings the next. A run that cannot start (configuration, connection) is logged and left to
    the next one. Returns what the `run_finished` log event says.
    """
    started = time.monotonic()
    turn = WorkerTurn(Path(schedule), Path(pipeline), settings.lease_seconds)
    result = turn.run()
    report = result.report
    fields: dict[str, Any] = {
        "client": turn.client,
        "pipeline": turn.name,
        "run_id": report.run_id if report else None,
        "status": result.status,
        "seconds": round(time.monotonic() - started, 3),
        "started": report.started if report else None,
        "ended": report.ended if report else None,
        "counts": dict(report.counts) if report else {},
    }
    log_event(
        logger,
        logging.INFO if result.status in _QUIET else logging.WARNING,
        "run_finished",
        f"{turn.client}/{turn.name}: run {result.status}" + (f": {result.error}" if result.error else ""),
        **fields,
    )
    return fields
