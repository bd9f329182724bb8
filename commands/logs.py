"""Logging for the command: `-v` / `-vv` / `-q`, and `--log-format json` for log collectors.

Log lines go to stderr, secrets masked. The default level is WARNING (warnings such as a
credential written in a connections file); `-v` adds INFO (what is read, runs started and
ended), `-vv` DEBUG, `-q` shows errors only.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from enum import StrEnum

from cartsync.engine.secrets import redact


class LogFormat(StrEnum):
    text = "text"
    json = "json"


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(f"{record.levelname.lower()}: {record.getMessage()}")


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(verbose: int, quiet: bool, log_format: LogFormat) -> None:
    """Route the `cartsync` loggers to stderr at the level the flags ask for."""
    level = logging.ERROR if quiet else {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonFormatter() if log_format is LogFormat.json else _TextFormatter())
    logger = logging.getLogger("cartsync")
    for old in list(logger.handlers):
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
