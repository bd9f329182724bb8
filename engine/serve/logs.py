"""Structured logs through `logging`: one event per run and per held record, secrets masked.

Every record of the `cartsync` loggers may carry fields in `extra={"fields": {...}}`. The text
format prints them as `key=value`; the JSON format prints one object per line. Both formats
pass the finished line through `secrets.redact`, so no registered secret is ever written.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal

from cartsync.engine.secrets import redact

LOGGER = "cartsync.serve"
LogFormat = Literal["text", "json"]


def log_event(logger: logging.Logger, level: int, event: str, message: str, **fields: Any) -> None:
    """Log `message` as the structured event `event` with `fields`."""
    logger.log(level, message, extra={"event": event, "fields": fields})


class _Formatter(logging.Formatter):
    def __init__(self, kind: LogFormat) -> None:
        super().__init__()
        self.kind = kind

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = getattr(record, "fields", {})
        event = getattr(record, "event", None)
        moment = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        if self.kind == "json":
            entry = {"time": moment, "level": record.levelname.lower(), "logger": record.name}
            entry.update({"event": event} if event else {})
            entry["message"] = record.getMessage()
            entry.update(fields)
            if record.exc_info:
                entry["exception"] = self.formatException(record.exc_info)
            line = json.dumps(entry, default=str, ensure_ascii=False)
        else:
            pairs = " ".join(f"{key}={_text(value)}" for key, value in fields.items())
            line = f"{moment} {record.levelname:<7} {record.getMessage()}" + (f"  {pairs}" if pairs else "")
            if record.exc_info:
                line += "\n" + self.formatException(record.exc_info)
        return redact(line)


def _text(value: Any) -> str:
    text = (
        json.dumps(value, default=str, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
    )
    return json.dumps(text) if " " in text or not text else text


def setup_logging(kind: LogFormat = "text", level: int = logging.INFO) -> None:
    """Send the cartsync loggers to stderr in `kind` format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter(kind))
    root = logging.getLogger("cartsync")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
