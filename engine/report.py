"""What a run did: counts per outcome, the records that failed and why, and unknown items."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from cartsync.engine.secrets import redact

# Outcome names as counted and shown to the user.
SENT = "sent"  # delivered: ok
DUPLICATE = "duplicate"  # delivered earlier (the destination already had it)
REJECTED = "rejected"  # the destination or the mapping refused it: held in `error`
RETRYING = "retrying"  # transient failure, provably not applied: retried on a later run
UNKNOWN = "unknown"  # sent, no reliable reply: looked up before anything is sent again
SKIPPED = "skipped"  # a filter or the ledger said so
UNCHANGED = "unchanged"  # already delivered with the same content
NOT_FOUND = "not_found"  # the destination does not know the item (listed, not a failure)
WOULD_SEND = "would_send"  # dry run


@dataclass
class Problem:
    key: str
    message: str


@dataclass
class RunReport:
    pipeline: str
    run_id: int | None = None
    dry_run: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)  # rejected, retrying and unknown records
    not_found: list[Problem] = field(default_factory=list)
    skip_reasons: Counter[str] = field(default_factory=Counter)
    previews: list[tuple[dict, object]] = field(default_factory=list)  # dry run: (source, mapped)
    # Unix times within the run's lease: once it held it, and when its work ended (before letting
    # it go). Two runs of a pipeline never overlap, so neither do these spans. None for a dry run.
    started: float | None = None
    ended: float | None = None

    def count(self, outcome: str, amount: int = 1) -> None:
        self.counts[outcome] += amount

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(key, redact(message)))

    def not_found_item(self, key: str, message: str) -> None:
        self.not_found.append(Problem(key, redact(message)))

    @property
    def failed(self) -> bool:
        return bool(self.counts[REJECTED] or self.counts[RETRYING] or self.counts[UNKNOWN])

    @property
    def exit_code(self) -> int:
        """0 when every record is done, 1 when some failed, are held or have an unknown outcome."""
        return 1 if self.failed else 0

    @property
    def status(self) -> str:
        return "failed" if self.failed else "ok"
