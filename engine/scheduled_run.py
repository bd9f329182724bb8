"""One scheduled run, as `cartsync serve` and the Celery workers both run it: through the facade
(`OpenPipeline`), under the pipeline's lease, stoppable after any page, and ended as one status.

- `ok`, `failed`: the run ended (`failed`: some records failed, are held or have an unknown outcome);
- `idle`: the idle check found nothing new past the cursor, so there was no run;
- `lease_held`: another run of the pipeline (any thread, process, host or worker) holds its
  lease: this one did nothing;
- `lease_lost`: the run's lease was taken away (unlocked, or taken over after a stall): it
  stopped before its next batch;
- `timeout`, `aborted`: asked to stop (its run timeout passed; a shutdown), it stopped after its
  current batch;
- `connect_error`, `config_error`, `error`: it could not connect, its files are invalid, or
  another problem a person can act on.

Stopping after a batch loses nothing: every outcome is recorded as soon as it is known, the cursor
never passes an unfinished page, and a send without an answer is asked about by the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cartsync.engine.errors import CartsyncError, ConfigError, ConnectError, LeaseLost, LockHeld
from cartsync.engine.report import RunReport
from cartsync.engine.run_file import OpenPipeline, RunOptions
from cartsync.engine.runner import ProgressCallback


class RunStopped(CartsyncError):
    """A run was asked to stop; it stopped after its current batch, keeping every outcome.

    `status`: `timeout` (its run timeout passed) or `aborted` (its process is shutting down)."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class TurnResult:
    status: str  # a RUN_STATUSES value, or "idle" when the idle check skipped the run
    report: RunReport | None = None
    error: str | None = None
    connected: bool | None = None  # None: it never got as far as connecting


def run_turn(
    pipeline: Callable[[], OpenPipeline],
    options: RunOptions,
    progress: ProgressCallback,
    idle: Callable[[OpenPipeline], bool] = lambda _: False,
) -> TurnResult:
    """Open the pipeline (`pipeline()` may raise ConfigError or ConnectError), skip the run when
    `idle` says so, else run it; `progress` raises RunStopped to stop it after its batch. Errors a
    person can act on become the status; a bug is raised."""
    report: RunReport | None = None
    try:
        opened = pipeline()
        if idle(opened):
            return TurnResult("idle", connected=True)
        runner = opened.runner(options, progress)
        report = runner.report
        runner.run()
        return TurnResult(report.status, report, connected=True)
    except RunStopped as error:
        return TurnResult(error.status, report, error.message, connected=True)
    except LeaseLost as error:  # unlocked by a person, or taken over while this process stalled
        return TurnResult("lease_lost", report, error.message, connected=True)
    except LockHeld as error:  # another process or host runs this pipeline now
        return TurnResult("lease_held", error=error.message)
    except ConnectError as error:
        return TurnResult("connect_error", report, str(error), connected=False)
    except ConfigError as error:
        return TurnResult("config_error", report, str(error))
    except CartsyncError as error:
        return TurnResult("error", report, str(error))
