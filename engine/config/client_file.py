"""`client.yaml`: the pipelines of a client folder in the order `cartsync run client` runs them.

The file is optional. Without it a client folder's pipelines run in the usual order of the
three jobs (order download first, so that shipment confirmation and inventory sync see the
newest orders), then any others by file name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from cartsync.engine.config.discovery import CLIENT_FILE_NAME, file_kind
from cartsync.engine.config.env_vars import Environment
from cartsync.engine.config.issues import issue
from cartsync.engine.config.model import ConfigIssue
from cartsync.engine.config.schema_check import check_schema, describe
from cartsync.engine.config.yaml_positions import read_yaml
from cartsync.engine.connector import load_schema

CLIENT_SCHEMA = "client.schema.json"
USUAL_ORDER = ("order_download", "shipment_confirmation", "inventory_sync")

__all__ = ["CLIENT_FILE_NAME", "USUAL_ORDER", "read_client_file"]


def read_client_file(
    path: Path, env: Mapping[str, str] | Environment = os.environ
) -> tuple[list[Path], list[ConfigIssue]]:
    """The pipeline files `path` lists, in order, and every problem with them."""
    document, issues = read_yaml(path, env)
    if document is None:
        return [], issues
    if not isinstance(document.data, dict):
        message = f"expected a mapping with `pipelines:`, got {describe(document.data)}"
        return [], [*issues, issue(document.value_position(()), (), message)]
    issues += check_schema(document.data, load_schema(CLIENT_SCHEMA), document)
    if issues:
        return [], issues
    files = []
    for index, name in enumerate(document.data["pipelines"]):
        file = path.parent / name
        where = document.value_position(("pipelines", index))
        if not file.is_file():
            issues.append(issue(where, ("pipelines", index), f"there is no file {file}"))
        elif file_kind(file) != "pipeline":
            issues.append(issue(where, ("pipelines", index), f"{file} is not a pipeline file"))
        files.append(file)
    return files, issues
