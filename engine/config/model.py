"""The loaded, validated form of pipeline and connection files.

Loading (`engine.config.loader`) turns YAML into these objects after interpolation, `extends`,
lookup loading and schema validation. Positions stay available so that any later error (a
record rejected by a mapping, an unknown lookup) can still point at its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    file: Path
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a configuration file, as `cartsync validate` prints it.

    An error stops a run (exit 2); a warning (a secret written in a file) is printed and allowed.
    """

    position: Position
    json_path: str  # e.g. "$.source.params.statuses"
    message: str  # what is wrong and what was expected
    hint: str | None = None  # e.g. "did you mean `statuses`?"
    severity: Literal["error", "warning"] = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        label = "warning: " if self.severity == "warning" else ""
        text = f"{self.position}: {self.json_path}: {label}{self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text

    def as_json(self) -> dict[str, Any]:
        return {
            "file": str(self.position.file),
            "line": self.position.line,
            "column": self.position.column,
            "path": self.json_path,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class Endpoint:
    connection: str  # a name in connections.yaml
    stream: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FilterRule:
    """A record is kept only when `when` (JMESPath) is truthy; otherwise skipped with `reason`."""

    when: str
    reason: str


@dataclass(frozen=True)
class LedgerConfig:
    """How a pipeline uses the shared ledger rows of `entity`.

    - `requires`: process only keys whose row is in one of these statuses (empty: any key);
      other records are skipped with a reason. Shipment confirmation requires `at_wms`.
    - `done`: statuses that mean there is nothing left for this pipeline to do; such records
      are skipped (order download: `at_wms`, `shipped`, `confirmed`, `canceled`).
    - `pending`: the status a row gets when the engine records its intent to send
      (`new` for order download, `shipped` for shipment confirmation).
    - `sets`: the status a delivered record's row gets (e.g. `at_wms`, `confirmed`).
      A JMESPath expression on the source record may choose it instead (`sets_expr`).
    - `retry_for` / `retry_every`: a record that failed for a transient reason is retried on
      later runs, at growing intervals starting at `retry_every`, until `retry_for` has passed;
      then it stays in `error` until a person acts.
    """

    entity: str
    requires: tuple[str, ...] = ()
    done: tuple[str, ...] = ()
    pending: str = "new"
    sets: str = "done"
    sets_expr: str | None = None
    retry_for: str = "15 days"
    retry_every: str = "1 hour"


@dataclass(frozen=True)
class MappingTest:
    """An inline test: `input` mapped must equal `expect`, or be skipped with `skipped`."""

    name: str
    input: dict[str, Any]
    expect: dict[str, Any] | None = None
    skipped: str | None = None  # expected skip reason (substring)
    rejected: str | None = None  # expected rejection message (substring)


@dataclass
class PipelineConfig:
    path: Path
    name: str
    description: str
    source: Endpoint
    destination: Endpoint
    key: str  # JMESPath on the source record
    map: dict[str, Any]  # nested dicts/lists whose string leaves are JMESPath expressions
    derive: dict[str, str] = field(default_factory=dict)  # name -> JMESPath, computed before filters
    filters: list[FilterRule] = field(default_factory=list)
    lookups: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    ledger: LedgerConfig | None = None
    tests: list[MappingTest] = field(default_factory=list)
    positions: dict[JsonPath, Position] = field(default_factory=dict)

    def position_of(self, path: JsonPath) -> Position:
        """The position of `path`, or of its nearest ancestor that has one."""
        while path and path not in self.positions:
            path = path[:-1]
        return self.positions.get(path, Position(self.path, 1, 1))


@dataclass(frozen=True)
class ConnectionConfig:
    """One entry of a connections file. `connector` is None when the entry names none (an issue
    says so); pipelines may still name the connection, but its streams cannot be checked."""

    name: str
    connector: str | None
    settings: dict[str, Any]  # interpolated, without the `connector` key
    position: Position
