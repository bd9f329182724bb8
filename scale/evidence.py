"""What the scale run did, read from where an operator would read it, and checked.

- The schedule: each client's schedule.yaml, read by the schedule model, gives how many times a
  pipeline was due while beat ran (`due_between`).
- Beat's log: every run it sent ("Sending due task client/pipeline") and when it started
  (`beat_started`, the moment interval pipelines are first due).
- The workers' logs: one `run_finished` event per run a worker took, with its status.
- The state store: each client's runs, started and ended to the microsecond.
- The sandboxes: the orders at each WMS and the history rows in each store.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from throwaway.fleet import Client

from cartsync.engine.schedule import PipelineSchedule, load_schedule
from cartsync.engine.state import StateStore
from cartsync.engine.state.pg_connection import client_schema, with_schema
from cartsync.engine.workers.beat import first_run
from scale.traffic import Traffic

SENT = re.compile(r"Sending due task (\S+) ")
LATE = timedelta(seconds=3)  # how far beat's sends may drift behind the schedule over the run
RAN = ("ok", "failed", "timeout", "lease_lost", "error")  # turns that recorded a run


def json_events(log: str, event: str) -> list[dict[str, Any]]:
    """cartsync's own lines of a `--log-format json` log that are `event`."""
    found = []
    for line in log.splitlines():
        if line.startswith("{") and f'"event": "{event}"' in line:
            found.append(json.loads(line))
    return found


def due_between(plan: PipelineSchedule, since: datetime, until: datetime) -> int:
    """How many times the schedule names between `since` (beat's start) and `until`, each run
    counted from the one before, as beat counts them."""
    count, due = 0, first_run(plan, since)
    while due <= until:
        count, due = count + 1, plan.next_run(due)
    return count


@dataclass
class PipelineTally:
    """One pipeline of one client."""

    due_least: int = 0  # due before beat stopped, leaving LATE for drift
    due_most: int = 0  # due before beat stopped
    sent: int = 0  # by beat
    turns: Counter[str] = field(default_factory=Counter)  # worker turns by status
    runs: int = 0  # rows in the client's run history
    overlaps: int = 0  # consecutive runs whose spans overlap

    def problems(self) -> list[str]:
        found = []
        if not self.due_least <= self.sent <= self.due_most:
            due = f"{self.due_least}–{self.due_most}"
            found.append(f"beat sent it {self.sent} times; the schedule says {due}")
        if sum(self.turns.values()) != self.sent:
            found.append(f"{self.sent} sent, {sum(self.turns.values())} taken by a worker (expired or lost)")
        ran = sum(self.turns[status] for status in RAN)
        if ran != self.runs:
            found.append(f"{ran} runs logged by the workers, {self.runs} in the run history")
        if set(self.turns) - {"ok", "lease_held"}:
            found.append(f"turns by status: {dict(self.turns)}")
        if self.overlaps:
            found.append(f"{self.overlaps} run(s) overlapped the run before")
        return found


@dataclass
class RecordTally:
    """One client's orders and shipments."""

    placed: int = 0
    delivered: int = 0  # placed orders at the WMS, each counted once
    duplicated_at_wms: int = 0  # referenceNums stored more than once
    strangers: int = 0  # orders at this client's WMS that another client's shoppers placed
    shipped: int = 0
    confirmed: int = 0  # shipped orders with their Shipped history row in the store
    duplicated_in_store: int = 0  # orders with more than one Shipped history row

    def problems(self) -> list[str]:
        found = []
        if self.duplicated_at_wms or self.duplicated_in_store:
            found.append(
                f"{self.duplicated_at_wms} duplicated at the WMS, {self.duplicated_in_store} in the store"
            )
        if self.delivered != self.placed or self.strangers:
            found.append(
                f"{self.placed} placed, {self.delivered} at the WMS, {self.strangers} of other clients"
            )
        if self.confirmed != self.shipped:
            found.append(f"{self.shipped} shipped, {self.confirmed} confirmed in the store")
        return found


def pipeline_tallies(clients: list[Client], database: str, beat_log: str, worker_log: str,
                     since: float, until: float) -> dict[tuple[str, str], PipelineTally]:
    """(client, pipeline) → its tally."""
    tallies: dict[tuple[str, str], PipelineTally] = defaultdict(PipelineTally)
    start, stop = datetime.fromtimestamp(since, UTC), datetime.fromtimestamp(until, UTC)
    for client in clients:
        for plan in load_schedule(client.folder).pipelines:
            tally = tallies[(client.name, plan.file.stem)]
            tally.due_most = due_between(plan, start, stop)
            tally.due_least = due_between(plan, start, stop - LATE)
    for name in SENT.findall(beat_log):
        client, pipeline = name.split("/")
        tallies[(client, pipeline)].sent += 1
    for turn in json_events(worker_log, "run_finished"):
        tallies[(turn["client"], turn["pipeline"])].turns[turn["status"]] += 1
    for client in clients:
        store = StateStore.open(with_schema(database, client_schema(client.name)))
        try:
            runs = store.runs(limit=100_000)
        finally:
            store.close()
        spans: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
        for run in runs:
            spans[run["pipeline"]].append((_moment(run["started_at"]), _moment(run["ended_at"])))
        for pipeline, found in spans.items():
            tally = tallies[(client.name, pipeline)]
            tally.runs = len(found)
            tally.overlaps = sum(1 for (_, ended), (started, _) in pairwise(sorted(found)) if started < ended)
    return tallies


def record_tallies(clients: list[Client], traffic: Traffic) -> dict[str, RecordTally]:
    tallies = {}
    placed_anywhere = {email for orders in traffic.placed.values() for email in orders}
    for client in clients:
        placed = traffic.placed[client.name]
        at_wms = client.wms.orders
        references = Counter(order["referenceNum"] for order in at_wms)
        emails = {order["shipTo"].get("emailAddress") for order in at_wms}
        shipped = traffic.shipped[client.name]
        shipped_rows = Counter(
            row["order_id"] for row in client.store.history_rows() if row["order_status"] == "Shipped"
        )
        tallies[client.name] = RecordTally(
            placed=len(placed),
            delivered=len(emails & set(placed)),
            duplicated_at_wms=sum(1 for count in references.values() if count > 1),
            strangers=len((emails & placed_anywhere) - set(placed)),
            shipped=len(shipped),
            confirmed=sum(1 for order_id in shipped if shipped_rows[order_id] >= 1),
            duplicated_in_store=sum(1 for order_id in shipped if shipped_rows[order_id] > 1),
        )
    return tallies


def beat_started(beat_log: str) -> float:
    [started] = json_events(beat_log, "beat_started")
    return float(started["since"])


def read_logs(folder: Path, prefix: str) -> str:
    return "\n".join(path.read_text(errors="replace") for path in sorted(folder.glob(f"{prefix}*.log")))


def _moment(text: str | None) -> datetime:
    if text is None:  # a run still going when the history was read: it has not ended
        return datetime.max.replace(tzinfo=UTC)
    return datetime.fromisoformat(text)
