"""Finding the pipeline and connections files among the paths given to `cartsync validate`.

Folders are walked for `*.yaml` / `*.yml`, leaving out hidden folders (`.git`, `.venv`) and
`lookups/` folders (lookup tables are read through the pipelines that name them). A walked file
counts only when it looks like a cartsync file, so other YAML in a repository (CI settings, API
descriptions) is left alone; an empty file counts (an overlay left empty is a mistake); a file
named on the command line is always checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from cartsync.engine.config.env_vars import Environment
from cartsync.engine.config.yaml_positions import read_yaml

CONNECTIONS_FILE_NAMES = ("connections.yaml", "connections.yml")
CLIENT_FILE_NAME = "client.yaml"  # see engine.config.client_file
SCHEDULE_FILE_NAMES = ("schedule.yaml", "schedule.yml")  # `cartsync serve` schedules
_PIPELINE_KEYS = frozenset({"source", "destination", "map", "key", "extends"})

FileKind = Literal["pipeline", "connections", "client", "schedule"]


def config_files(paths: list[Path]) -> Iterator[tuple[Path, FileKind]]:
    """Each configuration file under `paths`, with what it holds."""
    for path in map(Path, paths):
        if not path.is_dir() or path.name in CONNECTIONS_FILE_NAMES:
            yield path, file_kind(path) or "pipeline"
            continue
        for file in sorted(path.rglob("*")):
            folders = file.relative_to(path).parts[:-1]
            if file.suffix not in (".yaml", ".yml"):
                continue
            if "lookups" in folders or any(folder.startswith(".") for folder in (*folders, file.name)):
                continue
            if file.is_dir() and file.name in CONNECTIONS_FILE_NAMES:
                yield file, "connections"  # reading it says that it is a folder
            elif file.is_file() and (kind := file_kind(file)) is not None:
                yield file, kind


def file_kind(file: Path) -> FileKind | None:
    """`connections` when named so or when its entries have `connector:`; `client` for a
    client.yaml; `schedule` for a schedule.yaml (`cartsync serve`); `pipeline` when it has
    pipeline keys, is empty, or cannot be parsed (reading it as a pipeline reports why); else None."""
    if file.name in CONNECTIONS_FILE_NAMES:
        return "connections"
    if file.name == CLIENT_FILE_NAME:
        return "client"
    if file.name in SCHEDULE_FILE_NAMES:
        return "schedule"
    document, _ = read_yaml(file, Environment(values=None))
    if document is None or document.data is None:
        return "pipeline"
    data = document.data
    if not isinstance(data, dict):
        return None
    if any(isinstance(entry, dict) and "connector" in entry for entry in data.values()):
        return "connections"
    return "pipeline" if _PIPELINE_KEYS & set(data) else None


def connections_beside(file: Path) -> Path | None:
    """The connections file in the same folder as `file`, if there is one (a folder of that name
    counts: reading it reports the mistake)."""
    return next((file.parent / n for n in CONNECTIONS_FILE_NAMES if (file.parent / n).exists()), None)
