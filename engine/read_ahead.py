"""Reading a source ahead of the run: the next pages arrive while the current ones are mapped and
their batches written.

A thread of its own walks the source's pages into a bounded queue (`depth` pages), so memory
stays flat however long the source is: when the run falls behind, the reader waits. An error
from the source reaches the run at the page where it happened, as if read in place.

When the run is ahead and would wait for a page, `before_wait` is called first: the runner lands
the write under way there, so a result already known never waits on a slow source to be recorded.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cartsync.engine.connector import Page

DEPTH = 2  # pages read ahead of the one being processed
_POLL = 0.1  # seconds between checks for a stop while the queue is full


@dataclass
class _Failed:
    error: BaseException


_END = object()


class ReadAhead:
    """Iterate it like the source's pages; `close()` it when done (a `with` block does)."""

    def __init__(
        self, pages: Iterator[Page], depth: int = DEPTH, before_wait: Callable[[], None] | None = None
    ) -> None:
        self._pages = pages
        self._before_wait = before_wait
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="source read-ahead", daemon=True)
        self._thread.start()

    def __iter__(self) -> Iterator[Page]:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                if self._before_wait is not None:
                    self._before_wait()
                item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]

    def _read(self) -> None:
        try:
            for page in self._pages:
                if not self._put(page):
                    return
            self._put(_END)
        except BaseException as error:  # handed to the run, which raises it
            self._put(_Failed(error))
        finally:
            close = getattr(self._pages, "close", None)
            if close is not None:
                close()

    def _put(self, item: object) -> bool:
        """Queue an item, waiting while the queue is full; False once the run has stopped reading."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def close(self) -> None:
        """Stop reading: the reader ends at its next page (it finishes a request under way)."""
        self._stop.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._thread.join(timeout=_POLL * 5)

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
