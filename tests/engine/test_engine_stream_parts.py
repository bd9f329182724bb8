"""The parts a stream declares instead of writing: paging loops, the incremental cursor with its
overlap window, and one method per stream instead of dispatching on its name."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cartsync.engine.connector import Connector, Outcome
from cartsync.engine.cursor import IncrementalCursor
from cartsync.engine.errors import ConfigError
from cartsync.engine.paging import keyset_pages, numbered_pages


def test_numbered_pages_stop_at_the_total_a_short_page_or_an_empty_one():
    asked: list[int] = []

    def fetch(total: int, sizes: list[int]):
        def one(number: int):
            asked.append(number)
            size = sizes[number - 1] if number <= len(sizes) else 0
            return total, list(range(size))

        return one

    assert [len(page) for page in numbered_pages(fetch(5, [2, 2, 1, 9]), 2)] == [2, 2, 1]
    assert asked == [1, 2, 3]  # the total was read: page 4 is never asked for
    asked.clear()
    assert [len(page) for page in numbered_pages(fetch(99, [2, 1, 2]), 2)] == [2, 1]
    assert asked == [1, 2]  # a short page is the last
    asked.clear()
    assert list(numbered_pages(fetch(99, [2, 2]), 2)) == [[0, 1], [0, 1]] and asked == [1, 2, 3]


def test_keyset_pages_hand_each_marker_to_the_next_request():
    replies = {None: ([1, 2], {"after_id": 2}), 2: ([3], {"after_id": 3}), 3: ([], None)}
    markers = []

    def fetch(marker):
        markers.append(marker)
        return replies[marker and marker["after_id"]]

    assert list(keyset_pages(fetch)) == [[1, 2], [3]]
    assert markers == [None, {"after_id": 2}, {"after_id": 3}]
    assert list(keyset_pages(lambda marker: ([4], None))) == [[4]]  # no marker: the last page


def test_the_incremental_cursor_starts_an_overlap_before_the_last_record_or_at_earliest():
    cursor = IncrementalCursor("modified", timedelta(minutes=10), datetime.fromisoformat, keys=("id",))
    assert cursor.after({"modified": "2024-05-01 08:30:00", "id": 7, "x": 1}) == {
        "modified": "2024-05-01 08:30:00",
        "id": 7,
    }
    assert cursor.start({"modified": "2024-05-01 08:30:00", "id": 7}, "2020-01-01") == datetime(
        2024, 5, 1, 8, 20
    )
    assert cursor.start(None, "2024-05-01T10:00:00+02:00") == datetime(2024, 5, 1, 8, 0)  # as UTC
    assert cursor.start(None) is None
    with pytest.raises(ConfigError, match=r"^source\.params\.earliest: 'someday' is not a moment"):
        cursor.start({}, "someday", where="source.params.earliest")


class Shelf(Connector):
    name = "shelf"

    def read_books(self, params, cursor):
        yield from ()

    def write_books(self, records):
        return [Outcome.ok(str(record["id"])) for record in records]


def test_a_connector_declares_one_method_per_stream():
    shelf = Shelf("shelf", {})
    assert shelf.write("books", [{"id": 1}]) == [Outcome.ok("1")]
    assert list(shelf.read("books", {}, None)) == []
    with pytest.raises(NotImplementedError, match="shelf has no writable stream 'lamps'"):
        shelf.write("lamps", [])
    with pytest.raises(NotImplementedError, match=r"shelf has no readable stream 'my-books\.csv'"):
        shelf.read("my-books.csv", {}, None)
    assert [outcome.status for outcome in shelf.reconcile("books", [{"id": 1}])] == ["unknown"]
