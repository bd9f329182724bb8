"""Lookup tables for `lookup('name', key)`: written inline, or read from YAML or CSV files.

A YAML table file holds one mapping of key: value. A CSV table file is read in one of two ways:

- without a header, each row is `key,value`;
- with a header row whose first cell is `key`, each row becomes a mapping of the other columns
  by their header names (`key,carrier,service` -> {"carrier": ..., "service": ...}); a header
  of exactly `key,value` gives plain values.

CSV values are text. Keys are always text, in every kind of table.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cartsync.engine.config.env_vars import Environment
from cartsync.engine.config.issues import issue
from cartsync.engine.config.limits import MAX_TABLE_BYTES
from cartsync.engine.config.model import ConfigIssue, Position
from cartsync.engine.config.yaml_positions import LocatedDocument, read_text, read_yaml

LOOKUPS = "lookups"
Env = Mapping[str, str] | Environment
_YAML_SUFFIXES = (".yaml", ".yml")


def load_lookups(document: LocatedDocument, env: Env) -> tuple[dict[str, dict[str, Any]], list[ConfigIssue]]:
    """Every table named under `lookups:`; file paths are relative to the file that names them."""
    raw = document.data.get(LOOKUPS) if isinstance(document.data, dict) else None
    tables: dict[str, dict[str, Any]] = {}
    issues: list[ConfigIssue] = []
    if not isinstance(raw, dict):
        return tables, issues
    for name, value in raw.items():
        if isinstance(value, dict):
            tables[name] = value
            continue
        if not isinstance(value, str):
            continue  # the schema check reports the wrong type
        where = document.value_position((LOOKUPS, name))
        path = Path(os.path.normpath(where.file.parent / value))
        suffix = path.suffix.lower()
        if suffix not in (*_YAML_SUFFIXES, ".csv"):
            continue  # the schema check reports the file type
        if not path.is_file():
            problem = "is a folder" if path.is_dir() else "not found"
            hint = "the path is relative to the file that names it" if not os.path.isabs(value) else None
            issues.append(issue(where, (LOOKUPS, name), f"lookup table file {problem}: {path}", hint))
            continue
        table, found = _read_yaml_table(path, env) if suffix in _YAML_SUFFIXES else _read_csv_table(path)
        issues.extend(found)
        if table is not None:
            tables[name] = table
    return tables, issues


def _read_yaml_table(path: Path, env: Env) -> tuple[dict[str, Any] | None, list[ConfigIssue]]:
    document, issues = read_yaml(path, env, MAX_TABLE_BYTES)
    if document is None:
        return None, issues
    if not isinstance(document.data, dict):
        message = "a lookup table file must hold one mapping of key: value"
        return None, [*issues, issue(document.value_position(()), (), message)]
    return document.data, issues


def _read_csv_table(path: Path) -> tuple[dict[str, Any] | None, list[ConfigIssue]]:
    text, problem = read_text(path, MAX_TABLE_BYTES)
    if problem is not None:
        return None, [problem]
    text = text.removeprefix("\ufeff")  # a byte order mark, as spreadsheets write it
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        return {}, []
    header = [cell.strip() for cell in rows[0][1]]
    if header[0] != "key":
        return _rows_to_table(path, rows, None)
    return _rows_to_table(path, rows[1:], None if header == ["key", "value"] else header)


def _rows_to_table(
    path: Path, rows: list[tuple[int, list[str]]], header: list[str] | None
) -> tuple[dict[str, Any], list[ConfigIssue]]:
    columns = header or ["key", "value"]
    table: dict[str, Any] = {}
    first_line: dict[str, int] = {}
    issues: list[ConfigIssue] = []
    for line, row in rows:
        where = Position(path, line, 1)
        if len(row) != len(columns):
            message = f"expected {len(columns)} columns ({', '.join(columns)}), got {len(row)}"
            issues.append(issue(where, (), message))
            continue
        key = row[0]
        if key in table:
            issues.append(issue(where, (key,), f"duplicate key `{key}` (first at line {first_line[key]})"))
            continue
        first_line[key] = line
        table[key] = dict(zip(columns[1:], row[1:], strict=True)) if header else row[1]
    return table, issues
