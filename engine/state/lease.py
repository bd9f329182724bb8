"""The run lease: at most one run of a pipeline at a time, and never blocked by a dead one.

A run takes its pipeline's lease for a short time (`DEFAULT_LEASE_SECONDS`) and a thread of its own
renews it, on its own connection, every third of that time. A run that dies (kill -9, an OOM kill,
a lost container, a power cut) stops renewing; once its lease has expired, the next run takes it
over, whatever host or process wrote it: nothing needs to know whether a PID is alive. The run
that died is then shown as `died`. `cartsync state unlock` removes a lease at once.

The lease is a row in the state store, taken and renewed by conditional writes, never a database
lock held by a connection: on PostgreSQL, workers on several machines share it the same way, and a
worker that dies holds nothing its database has to notice.

Hosts compare expiry times by their clocks: keep them in sync (NTP), as for any lease.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from cartsync.engine.errors import ConnectError, LockHeld
from cartsync.engine.state.base import StoreBase
from cartsync.engine.state.rows import utc_now, utc_now_precise
from cartsync.engine.state.transaction import lease_is_held

DEFAULT_LEASE_SECONDS = 60.0


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Lease:
    pipeline: str
    holder: str  # host:pid, for people
    token: str  # this lease, for the store
    acquired_at: str
    expires_at: float  # unix time

    @property
    def expired(self) -> bool:
        return self.expires_at <= time.time()

    @property
    def until(self) -> str:
        return datetime.fromtimestamp(self.expires_at, UTC).isoformat(timespec="seconds")


class LeaseStore(StoreBase):
    def acquire_lease(
        self, pipeline: str, *, seconds: float = DEFAULT_LEASE_SECONDS, holder: str | None = None
    ) -> Lease:
        """Take the lease of `pipeline` for `seconds`, or raise LockHeld naming its holder.

        An expired lease is taken over, and the run that held it is recorded as `died`.
        """
        now = time.time()
        lease = Lease(pipeline, holder or this_process(), uuid.uuid4().hex, utc_now(), now + seconds)
        with self.transaction():
            current = self._lease(pipeline)
            if current and not current.expired:
                raise _held(current)
            if not self._take(lease, replacing=current):
                # another process took it between the read and the write: its lease stands
                raise _held(self._lease(pipeline) or current or lease)
            if current:
                self._mark_died(current, f"its lease expired and was taken over by {lease.holder}")
        return lease

    def renew_lease(self, lease: Lease, *, seconds: float = DEFAULT_LEASE_SECONDS) -> Lease | None:
        """The lease with a new expiry, or None when it is no longer this pipeline's lease."""
        renewed = replace(lease, expires_at=time.time() + seconds)
        with self.transaction() as tx:
            changed = tx.db.execute(
                "UPDATE leases SET expires_at = ? WHERE pipeline = ? AND token = ?",
                (renewed.expires_at, lease.pipeline, lease.token),
            ).rowcount
        return renewed if changed else None

    def release_lease(self, lease: Lease) -> None:
        with self.transaction() as tx:
            tx.db.execute(
                "DELETE FROM leases WHERE pipeline = ? AND token = ?", (lease.pipeline, lease.token)
            )

    def lease(self, pipeline: str) -> Lease | None:
        """The pipeline's lease, expired or not; None when no run holds it."""
        return self._lease(pipeline)

    def holds_lease(self, lease: Lease) -> bool:
        """True while `lease` is still the pipeline's lease and has not expired."""
        return lease_is_held(self.db, lease)

    def unlock(self, pipeline: str) -> Lease | None:
        """Remove the pipeline's lease, whoever holds it (a person's decision); returns it."""
        with self.transaction() as tx:
            current = self._lease(pipeline)
            if current:
                tx.db.execute("DELETE FROM leases WHERE pipeline = ?", (pipeline,))
                self._mark_died(current, "its lease was removed by `cartsync state unlock`")
        return current

    @contextmanager
    def hold_lease(self, pipeline: str, *, seconds: float = DEFAULT_LEASE_SECONDS) -> Iterator[LeaseKeeper]:
        """Hold the lease for the duration of the block, renewed in the background."""
        keeper = LeaseKeeper(self.acquire_lease(pipeline, seconds=seconds), seconds, self.reopen)
        try:
            yield keeper
        finally:
            keeper.stop()
            self.release_lease(keeper.lease)

    def _take(self, lease: Lease, *, replacing: Lease | None) -> bool:
        """Write `lease` only if the pipeline's lease is still `replacing` (None: there is none)."""
        if replacing is None:
            return bool(
                self.db.execute(
                    "INSERT INTO leases (pipeline, holder, token, acquired_at, expires_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (pipeline) DO NOTHING",
                    (lease.pipeline, lease.holder, lease.token, lease.acquired_at, lease.expires_at),
                ).rowcount
            )
        return bool(
            self.db.execute(
                "UPDATE leases SET holder = ?, token = ?, acquired_at = ?, expires_at = ? "
                "WHERE pipeline = ? AND token = ?",
                (
                    lease.holder,
                    lease.token,
                    lease.acquired_at,
                    lease.expires_at,
                    lease.pipeline,
                    replacing.token,
                ),
            ).rowcount
        )

    def _lease(self, pipeline: str) -> Lease | None:
        found = self.db.execute(
            "SELECT pipeline, holder, token, acquired_at, expires_at FROM leases WHERE pipeline = ?",
            (pipeline,),
        ).fetchone()
        return Lease(**dict(found)) if found else None

    def _mark_died(self, lease: Lease, why: str) -> None:
        self.db.execute(
            "UPDATE runs SET status = 'died', ended_at = ?, message = ? "
            "WHERE lease = ? AND status = 'running'",
            (utc_now_precise(), f"died: {why}", lease.token),
        )


def _held(current: Lease) -> LockHeld:
    return LockHeld(
        f"Another run of pipeline '{current.pipeline}' is in progress ({current.holder}, since "
        f"{current.acquired_at}; its lease runs until {current.until}).",
        hint=f"Wait for it to finish: two runs of a pipeline never overlap. If that run is dead, "
        f"its lease expires by itself at {current.until}; `cartsync state unlock {current.pipeline}` "
        "frees it now.",
    )


class LeaseKeeper:
    """Renews a lease every third of its length, from its own thread and connection, until stopped.

    `lost` becomes true when the lease was taken away (unlocked by a person, or taken over after it
    expired while this process was stalled); the run then stops before it sends anything more.
    """

    def __init__(self, lease: Lease, seconds: float, open_store: Callable[[], LeaseStore]) -> None:
        self.lease = lease
        self.lost = False
        self._seconds = seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._renew, args=(open_store,), daemon=True, name=f"lease {lease.pipeline}"
        )
        self._thread.start()

    def _renew(self, open_store: Callable[[], LeaseStore]) -> None:
        store: LeaseStore | None = open_store()
        passing = (*store.backend.passing_errors, ConnectError)
        try:
            while not self._stopped.wait(self._seconds / 3):
                try:
                    store = store or open_store()
                    renewed = store.renew_lease(self.lease, seconds=self._seconds)
                except passing:
                    # a busy file, a database restarting: try again on a new connection at the next
                    # tick, well before the expiry
                    if store:
                        store.close()
                    store = None
                    continue
                if renewed is None:
                    self.lost = True
                    return
                self.lease = renewed
        finally:
            if store:
                store.close()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()
