"""The settings of a `files` connection, declared once (the connection schema is generated from them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cartsync.engine.settings import ConnectionSettings, setting


@dataclass(frozen=True)
class FilesSettings(ConnectionSettings):
    """A folder of JSON Lines or CSV files. Each stream is one file: stream `orders` is
    `<folder>/orders.jsonl` (or `.csv`)."""

    folder: str = setting(description="The folder: absolute, or relative to the directory cartsync runs in.")
    format: Literal["jsonl", "csv"] = setting(
        "jsonl", description="File format of every stream in the folder."
    )
