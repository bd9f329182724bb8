"""Checks of command-line values that typer cannot express: dates, statuses, the state store.

Each failure is a ConfigError (exit 2) that names the option, what was given and what is
expected, raised before anything is opened or written.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path

from cartsync.engine.dates import parse_moment
from cartsync.engine.errors import ConfigError
from cartsync.engine.ledger_commands import UNKNOWN
from cartsync.engine.state import StateStore
from cartsync.engine.state.location import is_postgres, resolve

SQLITE_HEADER = b"SQLite format 3\x00"
# The statuses the shipped pipelines and the engine give ledger rows (a pipeline may add its own),
# and `unknown`: the rows sent without a reliable reply.
KNOWN_STATUSES = (
    "new",
    "at_wms",
    "shipped",
    "confirmed",
    "error",
    "canceled",
    "skipped",
    "not_found",
    "done",
    UNKNOWN,
)
KNOWN_ENTITIES = ("order", "stock")  # the entities of the shipped pipelines


def moment_option(value: str | None, option: str) -> str | None:
    """`--since` as the ISO text the state store compares with (UTC), or None when not given."""
    if value is None:
        return None
    try:
        moment = parse_moment(value)
    except ValueError:
        raise ConfigError(
            f"{option} {value!r} is not a date.",
            hint="write e.g. 2024-05-01, '2024-05-01 08:00' or '3 days ago'",
        ) from None
    return moment.astimezone(UTC).isoformat(timespec="seconds")


State = str | Path | None  # a SQLite file or a postgresql:// URL; None: CARTSYNC_STATE, else the default


def _state_file(option: State) -> Path | None:
    """The SQLite file `--state` (or CARTSYNC_STATE, or the default) names; None for PostgreSQL."""
    location = resolve(option)
    return None if is_postgres(location) else Path(location)


def _check_state_file(path: Path, *, must_exist: bool) -> None:
    hint = "give the path of a state file, e.g. --state .cartsync/state.db"
    if path.is_dir():
        raise ConfigError(f"--state {path} is a folder, not a state file.", hint=hint)
    if path.exists() and not path.is_file():
        raise ConfigError(f"--state {path} is not a regular file.", hint=hint)
    if path.is_file():
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as error:
            raise ConfigError(f"--state {path} cannot be read: {error.strerror}.") from None
        if header and header != SQLITE_HEADER:
            message = f"--state {path} is not a cartsync state store (not an SQLite file)."
            raise ConfigError(message, hint=hint)
        return
    if must_exist:
        raise ConfigError(
            f"There is no state store at {path}: nothing has run with it yet.",
            hint="pass the --state (or CARTSYNC_STATE) that `cartsync run` used",
        )


def open_existing_state(option: State) -> StateStore:
    """The state store for commands that read or change what runs recorded; a file must exist."""
    path = _state_file(option)
    if path is not None:
        _check_state_file(path, must_exist=True)
    return StateStore.open(resolve(option))


def open_state_for_run(option: State) -> StateStore:
    """The state store a run writes to, created on its first run."""
    path = _state_file(option)
    if path is not None:
        _check_state_file(path, must_exist=False)
    return StateStore.open(resolve(option))


@contextmanager
def state_for_dry_run(option: State) -> Iterator[StateStore]:
    """The state store a dry run reads; when there is no state file yet, an empty one that is
    thrown away afterwards, so a dry run never creates the state file."""
    path = _state_file(option)
    if path is not None:
        _check_state_file(path, must_exist=False)
    with tempfile.TemporaryDirectory(prefix="cartsync-dry-run-") as folder:
        missing = path is not None and not path.exists()
        store = StateStore.open(Path(folder) / "state.db" if missing else resolve(option))
        try:
            yield store
        finally:
            store.close()


def check_entity(store: StateStore, entity: str) -> None:
    """`--entity` must be a kind of row the ledger holds (or one the shipped pipelines write)."""
    if entity in KNOWN_ENTITIES or store.rows(entity, limit=1):
        return
    present = sorted({row.entity for row in store.rows()} | set(KNOWN_ENTITIES))
    raise ConfigError(f"--entity {entity!r}: the ledger has no rows of that kind.", hint=_one_of(present))


def check_status(store: StateStore, entity: str, status: str | None) -> None:
    """`--status` must be a status rows can have."""
    if status is None or status in KNOWN_STATUSES or store.rows(entity, status=status, limit=1):
        return
    present = sorted({row.status for row in store.rows(entity)} | set(KNOWN_STATUSES))
    raise ConfigError(f"--status {status!r} is not a ledger status.", hint=_one_of(present))


def check_pipeline_known(store: StateStore, pipeline: str) -> None:
    """A pipeline named on the command line must have run with this state store."""
    if store.runs(pipeline, limit=1) or store.cursor(pipeline) is not None or store.lease(pipeline):
        return
    known = sorted({run["pipeline"] for run in store.runs(limit=10_000)})
    hint = _one_of(known) if known else "no pipeline has run with this state store yet"
    raise ConfigError(f"The state store knows no pipeline {pipeline!r}.", hint=hint)


def _one_of(names: list[str]) -> str:
    return "one of: " + ", ".join(names)
