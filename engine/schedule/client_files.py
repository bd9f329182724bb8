"""A client's schedule with every pipeline it names, loaded and checked together.

`cartsync serve` and `cartsync beat` both start from here, so a client folder that one accepts
the other accepts too, and both refuse two clients that would share a name or a state store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from cartsync.engine.config.issues import ConfigIssues
from cartsync.engine.errors import ConfigError
from cartsync.engine.run_file import LoadedPipeline, load_pipeline_file
from cartsync.engine.schedule.loader import load_schedule
from cartsync.engine.schedule.model import ClientSchedule
from cartsync.engine.state.location import display


def load_client(path: Path) -> tuple[ClientSchedule, list[LoadedPipeline]]:
    """The schedule and every pipeline it names, validated. Raises ConfigError with every issue."""
    schedule = load_schedule(path)
    loaded, issues = [], []
    for entry in schedule.pipelines:
        try:
            loaded.append(load_pipeline_file(entry.file, schedule.connections))
        except ConfigIssues as error:
            issues.extend(error.issues)
    if issues:
        raise ConfigIssues(issues)
    shared = repeated(pipeline.name for pipeline in loaded)
    if shared:
        raise ConfigError(
            f"{schedule.path}: two scheduled pipelines share the name {', '.join(shared)}.",
            hint="Each pipeline keeps its cursor and runs under its name; give each a different `name`.",
        )
    return schedule, loaded


def repeated(values: Iterable[str]) -> list[str]:
    """The values that occur more than once, sorted."""
    return sorted(value for value, count in Counter(values).items() if count > 1)


def check_distinct(clients: Sequence[tuple[str, Path | str]]) -> None:
    """Refuse clients (name, state store) that share a name or a state store."""
    names = repeated(name for name, _ in clients)
    if names:
        raise ConfigError(
            f"Two client folders are both named {', '.join(names)}.",
            hint="Set a distinct `client:` in their schedule.yaml.",
        )
    shared = repeated(_where(state) for _, state in clients)
    if shared:
        raise ConfigError(
            f"Several clients share the state store {', '.join(display(where) for where in shared)}.",
            hint="Each client needs its own `state:` file or PostgreSQL schema (ledger keys such as "
            "order ids clash).",
        )


def _where(state: Path | str) -> str:
    return str(state.resolve()) if isinstance(state, Path) else state
