"""Error types shared by the engine and the connectors.

Each error carries a message in the user's terms and, where possible, a hint that says what to
do. Its class decides the process exit code (see DESIGN.md):

| code | meaning |
|---|---|
| 0 | all records done |
| 1 | some records failed or are held |
| 2 | invalid configuration |
| 3 | cannot connect or authenticate |
| 4 | another run of the same pipeline holds the lease (or this run lost it) |
"""

from __future__ import annotations

from typing import Any

from cartsync.engine.secrets import redact


class CartsyncError(Exception):
    """Base class: a problem a person can act on."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = redact(message)
        self.hint = redact(hint) if hint else None
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class ConfigError(CartsyncError):
    """A pipeline or connection file is invalid. Nothing was read or written."""

    exit_code = 2


class ConnectError(CartsyncError):
    """A system cannot be reached, or it refused our credentials."""

    exit_code = 3


class TransientError(CartsyncError):
    """A failure that may pass: timeouts, 5xx, 429. Still failing after the retries ran out."""


class OutcomeUnknown(TransientError):
    """A write was sent but no reliable reply came back (a dropped reply, a read timeout, or a 5xx
    after the request left), so it may or may not have taken effect.

    `response` is the 5xx reply when there was one: a connector that recognises a reply proving
    nothing was applied (a maintenance page) may say so; anything else is an unknown outcome,
    reconciled (asked of the destination) before it is ever sent again.
    """

    def __init__(self, message: str, *, hint: str | None = None, response: Any = None) -> None:
        super().__init__(message, hint=hint)
        self.response = response


class LockHeld(CartsyncError):
    """Another run of the same pipeline holds its lease."""

    exit_code = 4


class LeaseLost(LockHeld):
    """This run's lease was taken away (unlocked by a person, or taken over after it expired)."""
