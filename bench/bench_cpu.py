"""P1b: CPU per order inside cartsync, the destination stubbed, against the same work written by hand.

Both take the same generated store orders (as the OpenCart connector reads them) a page of 200
at a time and leave the same ledger behind: for each page the rows and delivered hashes of its
keys are read; each order is keyed, checked, mapped (the shipped order download: derive, four
filters, 17 fields), validated, hashed; each batch of 64 gets its intents (packed record and
payload) in one transaction, a stub destination answers ok, and the outcomes, events and
deliveries are written in a second one. cartsync does it through its runner (read-ahead thread,
writer thread, compiled mapping, jsonschema-rs); the hand-written loop calls the same SQL
directly with a dict built by hand. Goal: cartsync ≤ 3× the hand-written CPU per order.

The mapping alone (bench_mapping) is reported beside it: compiled ≤ 3× hand-written dict building.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from bench import bench_mapping
from bench.harness import spread
from bench.report import Row
from bench.world import ORDER_DOWNLOAD, order_payload
from cartsync.connectors.opencart.records import order_record
from cartsync.connectors.opencart.sandbox.store import SandboxStore
from cartsync.connectors.wms3pl.connector import Wms3plConnector
from cartsync.engine.config.loader import load_pipeline
from cartsync.engine.connector import Connector, Outcome, Page, StreamSpec
from cartsync.engine.ledger_functions import ledger_functions
from cartsync.engine.pipeline import compile_pipeline
from cartsync.engine.runner import Runner
from cartsync.engine.state import StateStore
from cartsync.engine.state.packing import dump

GOAL = 3.0
PAGE = 200
BATCH = Wms3plConnector.streams["orders"].batch_size
PIPELINE = "order_download"


@dataclass(frozen=True)
class Size:
    orders: int
    rounds: int


class Pages(Connector):
    """A source that hands out records already in memory, a page at a time."""

    name = "memory"
    streams: ClassVar[Mapping[str, StreamSpec]] = {}

    def __init__(self, records: list[dict[str, Any]]) -> None:
        super().__init__("memory", {})
        self.records = records

    def read(self, stream: str, params: Mapping[str, Any], cursor: Mapping[str, Any] | None
             ) -> Iterator[Page]:
        for start in range(0, len(self.records), PAGE):
            yield Page(self.records[start:start + PAGE], {"at": start + PAGE})


class Accepts(Connector):
    """A destination with the WMS's orders stream that accepts every order at once."""

    name = "stub"
    streams: ClassVar[Mapping[str, StreamSpec]] = {"orders": Wms3plConnector.streams["orders"]}

    def write(self, stream: str, records: list[dict[str, Any]]) -> list[Outcome]:
        return [Outcome.ok(record["poNum"]) for record in records]


# The WMS order's record schema: the engine validates every mapped order against it, as in a run.
ORDER_SCHEMA = Wms3plConnector.schema(Wms3plConnector.streams["orders"].record_schema)


def generated_records(count: int) -> list[dict[str, Any]]:
    state = SandboxStore("3.0", orders=count).state
    first = max(state.orders) - count + 1
    return [order_record(state.order_view(state.orders[first + n])) for n in range(count)]


def cartsync(records: list[dict[str, Any]], folder: Path) -> float:
    """CPU seconds of one run through the engine."""
    store = StateStore.open(folder / "engine.db")
    pipeline = compile_pipeline(load_pipeline(ORDER_DOWNLOAD), ORDER_SCHEMA,
                                extra_functions=ledger_functions(store))
    started = time.process_time()
    report = Runner(pipeline, Pages(records), Accepts("stub", {}), store).run()
    spent = time.process_time() - started
    store.close()
    assert report.counts == {"sent": len(records)}, report.counts
    return spent


def hand_written(records: list[dict[str, Any]], folder: Path) -> float:
    """CPU seconds of the same ledger work, written by hand."""
    store = StateStore.open(folder / "hand.db")  # the same schema and settings
    db, packer = store.db, store.packer
    started = time.process_time()
    for start in range(0, len(records), PAGE):
        page = records[start:start + PAGE]
        keys = [str(record["order_id"]) for record in page]
        marks = ", ".join("?" * len(keys))
        done = {row[0] for row in db.execute(
            f"SELECT key FROM ledger WHERE entity = 'order' AND key IN ({marks}) AND status = 'at_wms'", keys
        )}
        sent = dict(db.execute("SELECT key, content_hash FROM deliveries WHERE pipeline = ? AND "
                               f"entity = 'order' AND key IN ({marks})", [PIPELINE, *keys]).fetchall())
        batch = []
        for key, record in zip(keys, page, strict=True):
            if key in done:
                continue
            payload = order_payload(record)
            digest = hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]
            if sent.get(key) != digest:
                batch.append((key, record, payload, digest))
        for first in range(0, len(batch), BATCH):
            _send(db, packer, batch[first:first + BATCH])
    spent = time.process_time() - started
    store.close()
    return spent


def _send(db: Any, packer: Any, batch: list[tuple[str, dict[str, Any], dict[str, Any], str]]) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    rows, payloads = [], []
    for key, record, payload, _ in batch:
        raw = dump(record)
        rows += ["order", key, PIPELINE, "new", packer.pack(record, f"{PIPELINE}:order", raw=raw), now, now]
        payloads.append(("order", key, packer.pack(payload, f"{PIPELINE}:order:payload", record=raw)))
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO ledger (entity, key, pipeline, status, record, created_at, updated_at, "
               "in_flight, attempts) VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?, 1, 1)"] * len(batch))
               + " ON CONFLICT (entity, key) DO UPDATE SET record = excluded.record, in_flight = 1 "
               "RETURNING key", rows).fetchall()
    db.executemany("INSERT INTO payloads (entity, key, payload) VALUES (?, ?, ?)", payloads)
    db.execute("COMMIT")
    outcomes = Accepts("stub", {}).write("orders", [payload for _, _, payload, _ in batch])
    db.execute("BEGIN IMMEDIATE")
    done = [(key, digest, outcome.dest_id)
            for (key, _, _, digest), outcome in zip(batch, outcomes, strict=True)]
    db.executemany("UPDATE ledger SET status = 'at_wms', dest_id = ?, in_flight = 0, updated_at = ? "
                   "WHERE entity = 'order' AND key = ?", [(dest_id, now, key) for key, _, dest_id in done])
    db.executemany("DELETE FROM payloads WHERE entity = 'order' AND key = ?", [(key,) for key, _, _ in done])
    db.executemany("INSERT INTO ledger_events (entity, key, pipeline, event, status, message, at) "
                   "VALUES ('order', ?, ?, 'ok', 'at_wms', ?, ?)",
                   [(key, PIPELINE, dest_id, now) for key, _, dest_id in done])
    db.executemany("INSERT INTO deliveries (pipeline, entity, key, content_hash, dest_id, delivered_at) "
                   "VALUES (?, 'order', ?, ?, ?, ?)",
                   [(PIPELINE, key, digest, dest_id, now) for key, digest, dest_id in done])
    db.execute("COMMIT")


def check_same_mapping(records: list[dict[str, Any]]) -> None:
    """The hand-written mapping gives exactly what the shipped pipeline gives (else the race is unfair)."""
    pipeline = compile_pipeline(load_pipeline(ORDER_DOWNLOAD), ORDER_SCHEMA)
    for record in records[:50]:
        assert pipeline.mapper.apply(pipeline.enrich(record)) == order_payload(record)


def measure(size: Size) -> list[Row]:
    records = generated_records(size.orders)
    check_same_mapping(records)
    engine, hand = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for number in range(size.rounds):
            folder = Path(scratch) / str(number)
            folder.mkdir()
            ways = [(engine, cartsync), (hand, hand_written)]
            for figures, way in ways if number % 2 == 0 else ways[::-1]:
                figures.append(way(records, folder) / size.orders * 1e6)
    ratios = [ours / base for ours, base in zip(engine, hand, strict=True)]
    (ours_min, ours_median), (hand_min, hand_median) = spread(engine), spread(hand)
    rows = [Row("P1b CPU per order in the engine ÷ hand-written, same ledger writes (median)",
                statistics.median(ratios), "×", GOAL,
                f"{size.orders:,} orders, destination stubbed: cartsync {ours_min:.0f} / "
                f"{ours_median:.0f} µs, hand-written {hand_min:.0f} / {hand_median:.0f} µs")]
    return [*rows, _mapping_alone()]


def _mapping_alone() -> Row:
    ways = {"hand": bench_mapping.hand_written, "compiled": bench_mapping.mapper("compiled")}
    figures = bench_mapping.interleaved_rounds(ways)
    ratios = [ours / base for ours, base in zip(figures["compiled"], figures["hand"], strict=True)]
    return Row("P1b mapping alone ÷ hand-written dict building (median)", statistics.median(ratios), "×",
               bench_mapping.GOAL, f"bench_mapping's order: compiled {min(figures['compiled']):.1f} µs, "
               f"hand-written {min(figures['hand']):.1f} µs (min)")
