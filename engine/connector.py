"""The connector protocol: the one surface through which the engine talks to a system.

A connector is a class registered under the entry-point group `cartsync.connectors`. The engine
builds one instance per connection in `connections.yaml` and calls:

- `check()` to log in and report what it found (`cartsync check`);
- `read(stream, params, cursor)` to stream pages of records from a source stream;
- `has_changes(stream, params, cursor)` to learn cheaply whether a read would find anything new
  (`cartsync serve` skips idle runs with it);
- `write(stream, records)` to send a batch to a destination stream, one `Outcome` per record;
- `reconcile(stream, records)` to ask the destination what became of writes whose result is
  unknown (a crash, a dropped reply, a timeout or a 5xx after the request left).

The delivery protocol (DESIGN.md): every write of a record ends *done* (`ok`, `duplicate`),
*failed* (`rejected`: the system refused it; `retryable`: it provably never took effect) or
*unknown* (it left, and no reliable answer came back). Unknown is never sent again blindly:
before any resend the engine asks the destination, in the way the stream declares
(`StreamSpec.recovery`).

Connectors know their own system and nothing of pipelines.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, ClassVar, Literal

from cartsync.engine.settings import ConnectionSettings

SCHEMAS_FOLDER = "schemas"  # in the cartsync package (pipeline, client, connections) and in each connector's

SchemaRef = str | Mapping[str, Any]  # a file name in a connector's schemas/ folder, or the schema itself
OutcomeStatus = Literal["ok", "duplicate", "rejected", "retryable", "unknown"]
Recovery = Literal["lookup", "recompute"]


@dataclass(frozen=True)
class Outcome:
    """What became of one written record.

    - ok: created; `dest_id` is the destination's id.
    - duplicate: it was already there (`dest_id` is the existing one). Counts as delivered.
    - rejected: the destination refused it; `message` is the system's own words.
      `Outcome.not_found` is a rejection because the destination has no such item (a SKU the
      store does not sell): the run lists it, but it is not a failure.
    - retryable: a transient failure that provably did not take effect (refused connection,
      429, a 5xx before the request was carried out); it is sent again on a later run.
    - unknown: the request left and no reliable answer came back (dropped reply, read timeout,
      a 5xx after sending). The engine never resends it blindly: it asks `reconcile()` first.
    """

    status: OutcomeStatus
    dest_id: str | None = None
    message: str | None = None
    detail: Mapping[str, Any] | None = None

    @property
    def delivered(self) -> bool:
        return self.status in ("ok", "duplicate")

    @classmethod
    def ok(cls, dest_id: str | None = None, **detail: Any) -> Outcome:
        return cls("ok", dest_id=dest_id, detail=detail or None)

    @classmethod
    def duplicate(cls, dest_id: str | None = None, message: str | None = None) -> Outcome:
        return cls("duplicate", dest_id=dest_id, message=message)

    @classmethod
    def rejected(cls, message: str) -> Outcome:
        return cls("rejected", message=message)

    @classmethod
    def not_found(cls, message: str, **detail: Any) -> Outcome:
        return cls("rejected", message=message, detail={"not_found": True, **detail})

    @property
    def is_not_found(self) -> bool:
        return self.status == "rejected" and bool((self.detail or {}).get("not_found"))

    @classmethod
    def retryable(cls, message: str) -> Outcome:
        return cls("retryable", message=message)

    @classmethod
    def unknown(cls, message: str) -> Outcome:
        return cls("unknown", message=message)


@dataclass
class Page:
    """A page of source records and the cursor that points just past it.

    The engine stores `cursor` only once every record of this page, and of every page before
    it, has a final and durable outcome. A cursor is any JSON-serialisable dict.
    """

    records: list[dict[str, Any]]
    cursor: dict[str, Any] | None = None


@dataclass(frozen=True)
class StreamSpec:
    """One stream of a connector: its direction and the JSON Schema of its records.

    `record_schema` names a file of the connector's own `schemas/` folder (or is the schema
    itself, as a mapping). For a write stream it is the shape the mapped record must have; the
    engine validates every mapped record against it before sending.
    `params_schema` (optional, named the same way) describes `source.params`.
    `batch_size` is how many records the engine hands to one `write` call.
    `recovery` (write streams) says how the engine learns what became of a write whose result is
    unknown, before anything is sent again:
    - `lookup`: the connector's `reconcile()` asks the destination (WMS orders by referenceNum,
      order history by reading the order's history);
    - `recompute`: the write sets an absolute value (stock). The stale value is never replayed:
      the engine forgets what it last delivered, so the next read computes the current value
      and sends it.
    """

    name: str
    direction: Literal["read", "write"]
    record_schema: SchemaRef
    params_schema: SchemaRef | None = None
    batch_size: int = 50
    description: str = ""
    recovery: Recovery = "lookup"


@dataclass
class CheckItem:
    """One finding. `warning`: worth a person's attention, but nothing fails because of it."""

    label: str
    value: str
    ok: bool = True
    warning: bool = False


@dataclass
class CheckReport:
    """What `check()` found, shown as a table by `cartsync check`; not `ok` exits 3."""

    connector: str
    items: list[CheckItem] = field(default_factory=list)

    def add(self, label: str, value: object, ok: bool = True, *, warning: bool = False) -> None:
        self.items.append(CheckItem(label, str(value), ok, warning))

    @property
    def ok(self) -> bool:
        return all(item.ok for item in self.items)


def load_schema(name: str) -> dict[str, Any]:
    """One of cartsync's own JSON Schemas (`pipeline.schema.json`, `client.schema.json`, …)."""
    return package_schema("cartsync", name)


@cache
def package_schema(package: str, name: str) -> dict[str, Any]:
    """The JSON Schema `name` of the `schemas/` folder of `package`, read as package data."""
    return json.loads((resources.files(package) / SCHEMAS_FOLDER / name).read_text(encoding="utf-8"))


class Connector:
    """Base class for connectors. Subclasses set the class attributes and override methods.

    `settings_spec` declares the connection's settings once (see `engine.settings`): the
    connection schema and the typed settings object both come from it. `settings` is the
    connection's entry from connections.yaml, already interpolated and validated against that
    schema, without the `connector` key; `settings_spec.from_mapping(settings)` types it.
    """

    name: ClassVar[str]
    settings_spec: ClassVar[type[ConnectionSettings]]
    streams: ClassVar[Mapping[str, StreamSpec]]

    def __init__(self, connection_name: str, settings: Mapping[str, Any]) -> None:
        self.connection_name = connection_name
        self.settings = dict(settings)

    @classmethod
    def connection_schema(cls) -> dict[str, Any]:
        """The JSON Schema of this connector's entries in connections files."""
        return cls.settings_spec.json_schema(cls.name)

    @classmethod
    def secret_settings(cls) -> frozenset[str]:
        """Settings whose values are never printed."""
        return cls.settings_spec.secret_names()

    @classmethod
    def schema(cls, ref: SchemaRef) -> dict[str, Any]:
        """A schema of this connector: a file of the `schemas/` folder of the package that holds
        its class (so a connector installed from anywhere brings its own), or a schema given as is."""
        if isinstance(ref, Mapping):
            return dict(ref)
        return package_schema(cls.__module__.rpartition(".")[0], ref)

    def check(self) -> CheckReport:
        raise NotImplementedError

    def read(
        self, stream: str, params: Mapping[str, Any], cursor: Mapping[str, Any] | None
    ) -> Iterator[Page]:
        """Calls the connector's `read_<stream>(params, cursor)`."""
        return self._stream_method("read", stream, "readable")(params, cursor)

    def has_changes(
        self, stream: str, params: Mapping[str, Any], cursor: Mapping[str, Any] | None
    ) -> bool | None:
        """Whether `read(stream, params, cursor)` would find a record past `cursor`, asked with one
        small request where the system allows it. None: this connector cannot tell, so read.
        """
        return None

    def write(self, stream: str, records: list[dict[str, Any]]) -> list[Outcome]:
        """Calls the connector's `write_<stream>(records)`."""
        return self._stream_method("write", stream, "writable")(records)

    def _stream_method(self, verb: str, stream: str, able: str) -> Any:
        """A stream's own method (`read_orders`), so that a connector declares one method per
        stream instead of dispatching on the stream's name."""
        method = getattr(self, f"{verb}_{stream}", None) if stream.isidentifier() else None
        if method is None:
            raise NotImplementedError(f"{self.name} has no {able} stream {stream!r}")
        return method

    def reconcile(self, stream: str, records: list[dict[str, Any]]) -> list[Outcome | None]:
        """What became of writes whose result is unknown, one answer per record (the payload
        that was sent), in order:

        - a done outcome (`ok`, `duplicate`) when the destination has it;
        - None when the destination provably has no trace of it, so it is safe to send again;
        - `Outcome.unknown(reason)` when it cannot tell now (asked again on the next run).

        Connectors ask in bulk and with bounded concurrency. The connector's
        `reconcile_<stream>(records)` answers when it has one; otherwise nothing can tell, so a
        stream without a real answer is never resent blindly.
        """
        own = getattr(self, f"reconcile_{stream}", None) if stream.isidentifier() else None
        if own is not None:
            return own(records)
        return [Outcome.unknown(f"{self.name} cannot look up what became of a {stream} write")] * len(records)

    def close(self) -> None:
        """Release sessions and sockets."""
