"""`extends:` — a file builds on another file and changes only what differs.

The path is relative to the file that names it. Mappings merge key by key, at every depth;
lists and single values replace what the base had. A base may itself extend another file;
a chain that comes back to a file already in it is reported. After merging, every position
points at the file that supplied the value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cartsync.engine.config.env_vars import Environment
from cartsync.engine.config.issues import issue
from cartsync.engine.config.model import ConfigIssue, JsonPath
from cartsync.engine.config.yaml_positions import LocatedDocument, read_yaml

EXTENDS = "extends"


def read_with_extends(
    path: Path, env: Mapping[str, str] | Environment
) -> tuple[LocatedDocument | None, list[ConfigIssue]]:
    """Read `path` and every file it extends, merged; the `extends` key itself is removed.

    The document is None when the chain cannot be put together (a file that cannot be read or
    parsed, a missing base, a cycle): the issues then say why, and nothing else is checked,
    since every later complaint (missing keys...) would only repeat that one problem.
    """
    issues: list[ConfigIssue] = []
    document = _read_chain(path, env, [], issues)
    return document, issues


def _read_chain(
    path: Path, env: Mapping[str, str] | Environment, chain: list[Path], issues: list[ConfigIssue]
) -> LocatedDocument | None:
    document, found = read_yaml(path, env)
    issues.extend(found)
    if document is None or not isinstance(document.data, dict) or EXTENDS not in document.data:
        return document
    target = document.data.pop(EXTENDS)
    where = document.value_position((EXTENDS,))
    _forget(document, (EXTENDS,))
    if not isinstance(target, str) or not target.strip():
        issues.append(issue(where, (EXTENDS,), "expected the path of a pipeline file to build on"))
        return None
    base_path = Path(os.path.normpath(path.parent / target))
    seen = [*chain, path]
    if any(base_path.resolve() == earlier.resolve() for earlier in seen):
        cycle = " -> ".join(str(p) for p in [*seen, base_path])
        issues.append(issue(where, (EXTENDS,), f"`extends` makes a cycle: {cycle}"))
        return None
    if not base_path.is_file():
        problem = "is a folder" if base_path.is_dir() else "does not exist"
        hint = "the path is relative to this file" if not os.path.isabs(target) else None
        issues.append(issue(where, (EXTENDS,), f"the file to extend {problem}: {base_path}", hint))
        return None
    base = _read_chain(base_path, env, seen, issues)
    if base is None:
        return None
    if not isinstance(base.data, dict):
        message = f"the file to extend holds no pipeline keys: {base_path}"
        issues.append(issue(where, (EXTENDS,), message))
        return None
    return merge(base, document)


def merge(base: LocatedDocument, overlay: LocatedDocument) -> LocatedDocument:
    """`overlay` on top of `base`; both are consumed."""
    merged = LocatedDocument(base.data, dict(base.values), dict(base.keys), dict(base.text_starts))
    merged.file = overlay.file
    merged.unresolved = base.unresolved | overlay.unresolved
    merged.data = _merge_value(base.data, overlay.data, (), merged, overlay)
    return merged


def _merge_value(
    base: Any, over: Any, path: JsonPath, merged: LocatedDocument, overlay: LocatedDocument
) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        merged.values[path] = overlay.values.get(path, merged.value_position(path))
        result = dict(base)
        for key, value in over.items():
            child = (*path, key)
            result[key] = _merge_value(base.get(key), value, child, merged, overlay)
            merged.keys[child] = overlay.keys[child]
        return result
    _forget(merged, path)
    _copy_positions(overlay, merged, path)
    return over


def _forget(document: LocatedDocument, prefix: JsonPath) -> None:
    """Drop the positions of `prefix` and everything under it."""
    for table in (document.values, document.keys, document.text_starts):
        for path in [p for p in table if p[: len(prefix)] == prefix]:
            del table[path]


def _copy_positions(source: LocatedDocument, target: LocatedDocument, prefix: JsonPath) -> None:
    for source_table, target_table in (
        (source.values, target.values),
        (source.keys, target.keys),
        (source.text_starts, target.text_starts),
    ):
        for path, position in source_table.items():
            if path[: len(prefix)] == prefix:
                target_table[path] = position
