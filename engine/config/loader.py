"""Loading pipeline and connection files: the entry points the runner and the CLI call.

`load_pipeline` and `load_connections` return validated objects or raise `ConfigIssues`
holding every problem found; `validate_paths` walks files and folders and returns all issues.
A run and `cartsync validate` check a pipeline with the same function, `read_pipeline`, so
whatever `validate` accepts loads for a run, and whatever a run refuses `validate` reports.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cartsync.engine import secrets
from cartsync.engine.config.client_file import read_client_file
from cartsync.engine.config.connections import ConnectionsFile, read_connections_file
from cartsync.engine.config.discovery import config_files, connections_beside
from cartsync.engine.config.env_vars import Environment
from cartsync.engine.config.expressions import check_expressions
from cartsync.engine.config.extends import read_with_extends
from cartsync.engine.config.issues import ConfigIssues, errors_only, issue, sort_issues
from cartsync.engine.config.lookups import load_lookups
from cartsync.engine.config.model import (
    ConfigIssue,
    ConnectionConfig,
    Endpoint,
    FilterRule,
    LedgerConfig,
    MappingTest,
    PipelineConfig,
)
from cartsync.engine.config.references import check_endpoints
from cartsync.engine.config.schema_check import check_schema
from cartsync.engine.config.secret_keys import looks_secret
from cartsync.engine.config.settings_schema import check_settings
from cartsync.engine.config.yaml_positions import LocatedDocument
from cartsync.engine.connector import load_schema
from cartsync.engine.schedule.loader import read_schedule

PIPELINE_SCHEMA = "pipeline.schema.json"
_TEST_OUTCOMES = ("expect", "skipped", "rejected")
_REQUIRED = "version, name, source, destination, key and map"

log = logging.getLogger(__name__)
Env = Mapping[str, str] | Environment

__all__ = [
    "ConfigIssues",
    "Validation",
    "load_connections",
    "load_pipeline",
    "read_pipeline",
    "validate_paths",
]


def load_pipeline(
    path: Path, connections: Mapping[str, ConnectionConfig] | None = None, env: Env = os.environ
) -> PipelineConfig:
    """The pipeline at `path`, checked against `connections` when given. Raises ConfigIssues."""
    config, issues = read_pipeline(Path(path), connections, env)
    if issues or config is None:
        raise ConfigIssues(issues)
    return config


def load_connections(path: Path, env: Env = os.environ) -> dict[str, ConnectionConfig]:
    """The connections file at `path`, every entry checked against its connector. Raises ConfigIssues.

    Warnings (a credential written in the file) are logged.
    """
    found = read_connections_file(Path(path), env)
    errors = errors_only(found.issues)
    if errors:
        raise ConfigIssues(errors)
    for warning in found.issues:
        log.warning("%s", warning)
    return found.connections


def read_pipeline(
    path: Path, connections: Mapping[str, ConnectionConfig] | None = None, env: Env = os.environ
) -> tuple[PipelineConfig | None, list[ConfigIssue]]:
    """The pipeline (None when there are issues) and every issue found in it.

    With `connections`, its source and destination are checked against them; without, the
    connection and stream names are left unchecked.
    """
    document, issues = read_with_extends(path, env)
    if document is None:
        return None, sort_issues(issues)  # the chain could not be read: its reason stands alone
    if not isinstance(document.data, dict):
        issues.append(_not_a_pipeline(document))
        return None, issues
    _register_secret_settings(document.data.get("settings"))
    issues += check_schema(document.data, load_schema(PIPELINE_SCHEMA), document)
    issues += _rule_checks(document)
    issues += check_settings(document)
    lookups, found = load_lookups(document, env)
    issues += found
    issues += check_expressions(document)
    if connections is not None:
        issues += check_endpoints(document, connections)
    log.debug("checked %s: %d problem(s)", path, len(issues))
    if issues:
        return None, sort_issues(issues)
    return _build(path, document, lookups), []


def _not_a_pipeline(document: LocatedDocument) -> ConfigIssue:
    where = document.value_position(())
    if document.data is None:
        hint = f"a pipeline needs {_REQUIRED}; an overlay needs `extends:` and what it changes"
        return issue(where, (), "the file is empty", hint)
    return issue(where, (), "expected a mapping of pipeline keys", f"a pipeline has {_REQUIRED}")


@dataclass
class Validation:
    """What `validate_paths` found: every issue (errors and warnings), the files it read, and the
    pipelines whose connection and stream names could not be checked, with the reason."""

    issues: list[ConfigIssue] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    unchecked: dict[Path, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[ConfigIssue]:
        return errors_only(self.issues)


def validate_paths(paths: list[Path], connections: Path | None = None, env: Env = os.environ) -> Validation:
    """Every issue in every pipeline, connections, client and schedule file at `paths` (files or
    folders).

    Pipelines are checked against `connections` when given, otherwise against a
    `connections.yaml` in their own folder, if there is one. Which files of a folder are
    checked is decided by `engine.config.discovery`.
    """
    result = Validation()
    loaded: dict[Path, ConnectionsFile] = {}

    def connections_of(file: Path) -> ConnectionsFile:
        key = file.resolve()
        if key not in loaded:
            loaded[key] = read_connections_file(file, env)
            result.issues.extend(loaded[key].issues)
            result.files.append(file)
        return loaded[key]

    explicit = connections_of(Path(connections)) if connections else None
    seen: set[Path] = set()
    for file, kind in config_files(paths):
        if file.resolve() in seen:
            continue
        seen.add(file.resolve())
        if kind == "connections":
            connections_of(file)
            continue
        if kind == "client":
            result.files.append(file)
            result.issues.extend(read_client_file(file, env)[1])
            continue
        if kind == "schedule":
            result.files.append(file)
            result.issues.extend(read_schedule(file, env)[1])
            continue
        nearby = connections_beside(file)
        against = explicit or (connections_of(nearby) if nearby else None)
        if against is None:
            result.unchecked[file] = "no connections file beside them (pass -c FILE to check them)"
        elif not against.readable:
            result.unchecked[file] = f"its connections file {against.path} could not be read"
        result.files.append(file)
        usable = against.connections if against is not None and against.readable else None
        result.issues.extend(read_pipeline(file, usable, env)[1])
    result.issues = sort_issues(result.issues)
    return result


def _register_secret_settings(settings: Any) -> None:
    """Values of settings named like keys, tokens or passwords are masked in every message."""
    for key, value in settings.items() if isinstance(settings, dict) else ():
        if looks_secret(key):
            secrets.register(value)


def _rule_checks(document: LocatedDocument) -> list[ConfigIssue]:
    """What the schema cannot say plainly: choices between keys."""
    data = document.data
    issues = []
    ledger = data.get("ledger")
    if isinstance(ledger, dict) and "sets" in ledger and "sets_expr" in ledger:
        where = document.key_position(("ledger", "sets_expr"))
        issues.append(issue(where, ("ledger", "sets_expr"), "give either `sets` or `sets_expr`, not both"))
    tests = data.get("tests")
    for index, test in enumerate(tests if isinstance(tests, list) else []):
        if isinstance(test, dict) and sum(key in test for key in _TEST_OUTCOMES) != 1:
            message = "a test needs exactly one of `expect`, `skipped` or `rejected`"
            issues.append(issue(document.value_position(("tests", index)), ("tests", index), message))
    return issues


def _build(path: Path, document: LocatedDocument, lookups: dict[str, dict[str, Any]]) -> PipelineConfig:
    data = document.data
    rules = data.get("filter")
    filters = (
        [FilterRule(rules, rules)] if isinstance(rules, str) else [FilterRule(**rule) for rule in rules or []]
    )
    ledger = data.get("ledger")
    return PipelineConfig(
        path=path,
        name=data["name"],
        description=data.get("description", ""),
        source=Endpoint(**data["source"]),
        destination=Endpoint(**data["destination"]),
        key=data["key"],
        map=data["map"],
        derive=data.get("derive", {}),
        filters=filters,
        lookups=lookups,
        settings=data.get("settings", {}),
        ledger=_ledger(ledger) if ledger else None,
        tests=[MappingTest(**test) for test in data.get("tests", [])],
        positions=document.values,
    )


def _ledger(data: dict[str, Any]) -> LedgerConfig:
    lists = {key: tuple(data[key]) for key in ("requires", "done") if key in data}
    return LedgerConfig(**{**data, **lists})
