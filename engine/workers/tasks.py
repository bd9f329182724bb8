"""`cartsync.run_pipeline`: one run of one client's pipeline, on whichever worker takes it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded

from cartsync.engine.errors import CartsyncError, LockHeld
from cartsync.engine.report import RunReport
from cartsync.engine.run_file import RunOptions, run_pipeline_file
from cartsync.engine.workers.app import app, settings
from cartsync.engine.workers.settings import client_state

RUN_TASK = "cartsync.run_pipeline"
log = logging.getLogger("cartsync.worker")


@app.task(name=RUN_TASK, acks_late=True, reject_on_worker_lost=True)
def run_pipeline(client: str, pipeline: str, connections: str | None = None) -> dict[str, Any]:
    """Run `pipeline` (a file path every worker can read) with `client`'s state.

    Repeating it is harmless, so a redelivered task is simply run again. Another run of the same
    pipeline in progress (on any worker) makes this one do nothing: the schedule brings the next.
    A run that cannot start (configuration, connection) is logged and left to the next one.
    """
    where = f"{client}/{Path(pipeline).stem}"
    try:
        report = _run(Path(pipeline), Path(connections) if connections else None, client_state(client))
    except LockHeld as held:
        log.info("%s: not started, %s", where, held.message)
        return {"client": client, "pipeline": pipeline, "status": "lease_held"}
    except CartsyncError as error:
        log.error("%s: %s%s", where, error.message, f" ({error.hint})" if error.hint else "")
        return {"client": client, "pipeline": pipeline, "status": type(error).__name__}
    except SoftTimeLimitExceeded:
        # What it delivered is recorded; a send cut short is asked about by the next run.
        log.error("%s: stopped at its run timeout", where)
        return {"client": client, "pipeline": pipeline, "status": "timeout"}
    counts = ", ".join(f"{count} {name}" for name, count in sorted(report.counts.items()))
    log.info("%s: run %s %s (%s)", where, report.run_id, report.status, counts or "nothing to do")
    return {"client": client, "pipeline": pipeline, "status": report.status, "run_id": report.run_id}


def _run(pipeline: Path, connections: Path | None, state: str) -> RunReport:
    return run_pipeline_file(pipeline, connections, state, RunOptions(lease_seconds=settings.lease_seconds))
