"""Running a pipeline file: load → prepare → run → close, behind one small surface.

`cartsync run pipeline`, the demo and `cartsync serve` all go through here, so a change in the
runner's or the state store's API is absorbed in this one file.

- `run_pipeline_file(path, connections, state, options)`: one run, everything opened and closed.
- `load_pipeline_file(path, connections)`: a validated snapshot of the files (`LoadedPipeline`);
  a long-running process keeps running it even when the files on disk are later broken.
- `OpenPipeline(loaded, state)`: the snapshot with its connectors and state store open, for many
  runs in a row (one login, kept sessions), plus the few state questions `serve` asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cartsync.engine.report import RunReport
from cartsync.engine.runner import ProgressCallback, Runner, RunOptions
from cartsync.engine.state import StateStore
from cartsync.engine.workspace import PreparedRun, RunConfig, load_run_config, prepare_loaded

__all__ = [
    "HeldRecord",
    "LoadedPipeline",
    "OpenPipeline",
    "RunOptions",
    "load_pipeline_file",
    "run_pipeline_file",
]


@dataclass
class LoadedPipeline(RunConfig):
    """A pipeline file and its connections, loaded and checked (`RunConfig`), and where it is."""

    path: Path = field(default_factory=Path)

    @property
    def name(self) -> str:
        return self.pipeline.name


@dataclass(frozen=True)
class HeldRecord:
    key: str
    message: str


def load_pipeline_file(path: Path, connections: Path | None = None) -> LoadedPipeline:
    """Load and check a pipeline and its connections file, every problem at once. Raises
    ConfigError (exit 2) before anything is opened."""
    checked = load_run_config(path, connections)
    return LoadedPipeline(checked.pipeline, checked.connections, Path(path))


def run_pipeline_file(
    path: Path,
    connections: Path | None,
    state: Path | str | None,
    options: RunOptions | None = None,
    progress: ProgressCallback | None = None,
) -> RunReport:
    """One run of the pipeline at `path`. Raises ConfigError, ConnectError or LockHeld (LeaseLost)."""
    with OpenPipeline(load_pipeline_file(path, connections), state) as pipeline:
        return pipeline.run(options, progress)


class OpenPipeline:
    """A loaded pipeline with its connectors and state store open, ready to run again and again.

    Runs of one pipeline never overlap: each run holds the pipeline's lease in the state store,
    renewed while it runs, across processes and hosts (a live lease held elsewhere makes `run`
    raise LockHeld; a run whose lease is taken away raises LeaseLost before it sends anything
    more). Use one instance from one thread at a time.
    """

    def __init__(self, loaded: RunConfig, state: StateStore | Path | str | None) -> None:
        """`state`: a store the caller opened (and closes), or where to open one (closed here)."""
        self.loaded = loaded
        self._owns_store = not isinstance(state, StateStore)
        self.store = StateStore.open(state) if not isinstance(state, StateStore) else state
        try:
            self.prepared: PreparedRun = prepare_loaded(loaded, self.store)
        except BaseException:
            self._close_store()
            raise

    @property
    def name(self) -> str:
        return self.loaded.pipeline.name

    def run(self, options: RunOptions | None = None, progress: ProgressCallback | None = None) -> RunReport:
        return self.runner(options, progress).run()

    def runner(self, options: RunOptions | None = None, progress: ProgressCallback | None = None) -> Runner:
        """A run not started yet (`.run()` starts it). Its `report` fills as it goes and keeps what
        the run did when it stops on an error (timeout, shutdown, a lost lease)."""
        prepared = self.prepared
        return Runner(prepared.pipeline, prepared.source, prepared.destination, self.store, options, progress)

    def has_changes(self) -> bool | None:
        """Whether the source has anything past the saved cursor (one small request), or None
        when the source cannot tell cheaply."""
        source = self.loaded.pipeline.source
        cursor = self.store.cursor(self.name)
        return self.prepared.source.has_changes(source.stream, source.params, cursor)

    def held_in(self, report: RunReport) -> list[HeldRecord]:
        """The records that `report`'s run left held in `error` (not waiting for a retry)."""
        entity = self.prepared.pipeline.ledger.entity
        held = []
        for problem in report.problems:
            row = self.store.row(entity, problem.key)
            if row is not None and row.status == "error" and not row.transient:
                held.append(HeldRecord(problem.key, row.last_error or problem.message))
        return held

    def held_count(self) -> int:
        """Rows this pipeline left held in `error` until a person acts."""
        return self.store.held_count(self.name, self.prepared.pipeline.ledger.entity)

    def oldest_unsent_age(self, now: datetime | None = None) -> float:
        """Seconds since the oldest record this pipeline has not delivered yet was first recorded
        (pending, in flight, or waiting for a retry); 0 when there is none."""
        ledger = self.prepared.pipeline.ledger
        oldest = self.store.oldest_unsent(self.name, ledger.entity, ledger.pending)
        if oldest is None:
            return 0.0
        return max(0.0, ((now or datetime.now(UTC)) - datetime.fromisoformat(oldest)).total_seconds())

    def close(self) -> None:
        try:
            self.prepared.close()
        finally:
            self._close_store()

    def _close_store(self) -> None:
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> OpenPipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
