"""Loading pipeline and connection files: the entry points the runner and the CLI call.

`load_pipeline` and `load_connections` return validated objects or raise `ConfigIssues`
holding every problem found; `validate_paths` walks files and folders and returns all issues.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cartsync.engine import secrets
from cartsync.engine.config.connections import read_connections
from cartsync.engine.config.discovery import config_files, connections_beside
from cartsync.engine.config.expressions import check_expressions
from cartsync.engine.config.extends import read_with_extends
from cartsync.engine.config.issues import ConfigIssues, issue, sort_issues
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
from cartsync.engine.config.schema_check import check_schema, looks_secret
from cartsync.engine.config.yaml_positions import LocatedDocument
from cartsync.engine.connector import load_schema

PIPELINE_SCHEMA = "pipeline.schema.json"
_TEST_OUTCOMES = ("expect", "skipped", "rejected")

__all__ = ["ConfigIssues", "load_connections", "load_pipeline", "read_pipeline", "validate_paths"]


def load_pipeline(path: Path, connections: Mapping[str, ConnectionConfig] | None = None) -> PipelineConfig:
    """The pipeline at `path`, checked against `connections` when given. Raises ConfigIssues."""
    config, issues = read_pipeline(Path(path), connections)
    if issues or config is None:
        raise ConfigIssues(issues)
    return config


def load_connections(path: Path) -> dict[str, ConnectionConfig]:
    """The connections file at `path`, every entry checked against its connector. Raises ConfigIssues."""
    connections, issues = read_connections(Path(path), os.environ)
    if issues:
        raise ConfigIssues(issues)
    return connections


def read_pipeline(
    path: Path, connections: Mapping[str, ConnectionConfig] | None = None
) -> tuple[PipelineConfig | None, list[ConfigIssue]]:
    """The pipeline (None when there are issues) and every issue found in it."""
    document, issues = read_with_extends(path, os.environ)
    if document is None:
        return None, issues
    if not isinstance(document.data, dict):
        issues.append(issue(document.value_position(()), (), "expected a mapping of pipeline keys"))
        return None, issues
    _register_secret_settings(document.data.get("settings"))
    issues += check_schema(document.data, load_schema(PIPELINE_SCHEMA), document)
    issues += _rule_checks(document)
    lookups, found = load_lookups(document, os.environ)
    issues += found
    issues += check_expressions(document)
    if connections is not None:
        issues += check_endpoints(document, connections)
    if issues:
        return None, sort_issues(issues)
    return _build(path, document, lookups), []


def validate_paths(paths: list[Path], connections: Path | None = None) -> list[ConfigIssue]:
    """Every issue in every pipeline and connections file at `paths` (files or folders).

    Pipelines are checked against `connections` when given, otherwise against a
    `connections.yaml` in their own folder, if there is one. Which files of a folder are
    checked is decided by `engine.config.discovery`.
    """
    loaded: dict[Path, dict[str, ConnectionConfig]] = {}
    issues: list[ConfigIssue] = []

    def connections_of(file: Path) -> dict[str, ConnectionConfig]:
        key = file.resolve()
        if key not in loaded:
            loaded[key], found = read_connections(file, os.environ)
            issues.extend(found)
        return loaded[key]

    explicit = connections_of(Path(connections)) if connections else None
    for file, kind in config_files(paths):
        if kind == "connections":
            connections_of(file)
            continue
        nearby = connections_beside(file)
        against = explicit if explicit is not None else connections_of(nearby) if nearby else None
        issues.extend(read_pipeline(file, against)[1])
    return sort_issues(issues)


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
