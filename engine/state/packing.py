"""How the ledger keeps source records and payloads: compressed JSON, a small share of its size.

A source record (an order with its lines, addresses, totals and history) is ~2 KB of JSON; kept
as is, it is most of a state file. It is stored as raw deflate of its JSON against a *shape
dictionary* of the same pipeline and entity: the keys of its records, and the values that every
record of a sample shares (`common`: the store's currency, shipping and payment methods, total
titles, status names), other values blanked. A sample is a batch of at least `SAMPLE` records
(16 different orders): the dictionary holds no one customer's data unless every order of that
batch was theirs, and the retention rule can remove every personal detail. Until such a batch
comes, a dictionary is made of one record's keys alone, every value blanked; the first batch
large enough makes a better one (`learn`), which later values use.

A payload is mostly the record's values again (a WMS order repeats the store order's address and
lines), so it is compressed against its own shape dictionary followed by the record's JSON, and
costs a few dozen bytes. It names the record it was packed against (a CRC of its JSON); the
transaction packs it again whenever it replaces a record and keeps the payload.

A packed value is a kind byte (`ALONE` or `WITH_RECORD`), the dictionary's id (a varint; 0 for
none), for `WITH_RECORD` the record's CRC-32 (4 bytes), then the deflate stream. Dictionaries
live in the `dictionaries` table and are never changed (a better one is a new row; values name
theirs). Values written as JSON text by older versions read as before.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

ALONE, WITH_RECORD = 1, 2  # first byte of a packed value (JSON text never starts with either)
LEVEL = 6
_WINDOW = -13  # raw deflate (no header or checksum: SQLite checks its pages), an 8 KB window
_MEMORY = 8  # zlib's default; a larger one costs more to set up than small values save
_DICTIONARY_LIMIT = 4 * 1024  # a shape dictionary's size, at most
SAMPLE = 16  # records a dictionary learns shared values from, at least


def dump(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), default=str).encode()


def shape(value: Any) -> Any:
    """`value` with every string blanked, every number 0 and each list cut to its first item:
    the record's keys and structure, without its data."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, str):
        return ""
    if value is None or isinstance(value, bool):
        return value
    return 0


def common(values: list[Any]) -> Any:
    """The shape of `values[0]` (see `shape`) keeping every value that all of `values` share at the
    same place: in dicts by key, in lists by position (as far as every list goes)."""
    first = values[0]
    if isinstance(first, dict):
        if not all(isinstance(value, dict) for value in values):
            return shape(first)
        return {key: common([value.get(key) for value in values]) if all(key in value for value in values)
                else shape(item) for key, item in first.items()}
    if isinstance(first, list):
        if not all(isinstance(value, list) and value for value in values):
            return shape(first)
        length = min(len(value) for value in values)
        return [common([value[index] for value in values]) for index in range(length)]
    if all(type(value) is type(first) and value == first for value in values):
        return first
    return shape(first)


class Packer:
    """Packs and unpacks values for one connection. `db` is the store's connection; dictionaries
    made inside a transaction are forgotten again if it rolls back (`settle`)."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self._by_name: dict[str, tuple[int, bytes, bool]] = {}  # newest: id, sample, learned
        self._by_id: dict[int, bytes] = {}
        self._made: list[str] = []  # dictionaries made in the open transaction

    def pack(self, value: Any, dictionary: str, record: bytes | None = None, raw: bytes | None = None
             ) -> bytes | None:
        """`value` (whose JSON is `raw`, when already made) packed against the shape dictionary named
        `dictionary` (made from `value` if there is none yet), and against `record` (a record's
        JSON, see `dump`) when given."""
        if value is None:
            return None
        number, sample, _ = self._dictionary(dictionary, value)
        if record is None:
            head = bytes((ALONE,)) + _varint(number)
        else:
            head = bytes((WITH_RECORD,)) + _varint(number) + zlib.crc32(record).to_bytes(4, "big")
            sample = (sample + record)[-(1 << -_WINDOW):]
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, _WINDOW, _MEMORY, zlib.Z_DEFAULT_STRATEGY, sample)
        return head + compressor.compress(dump(value) if raw is None else raw) + compressor.flush()

    def unpack(self, stored: bytes | str | None, record: bytes | None = None) -> Any:
        """The value; a payload packed against its record needs that record's JSON (`raw`)."""
        raw = self.raw(stored, record)
        return None if raw is None else json.loads(raw)

    def raw(self, stored: bytes | str | None, record: bytes | None = None) -> bytes | None:
        """The JSON of a stored value."""
        if stored is None:
            return None
        if isinstance(stored, str):
            return stored.encode()
        data = bytes(stored)
        if not data or data[0] not in (ALONE, WITH_RECORD):
            return data
        number, start = _read_varint(data, 1)
        sample = self._sample(number) if number else b""
        if data[0] == WITH_RECORD:
            crc, start = data[start:start + 4], start + 4
            if record is None or zlib.crc32(record).to_bytes(4, "big") != crc:
                raise ValueError("a payload was packed against a record the ledger row no longer holds")
            sample = (sample + record)[-(1 << -_WINDOW):]
        decompressor = zlib.decompressobj(_WINDOW, sample) if sample else zlib.decompressobj(_WINDOW)
        return decompressor.decompress(data[start:]) + decompressor.flush()

    def learn(self, name: str, values: list[Any]) -> None:
        """Make the dictionary `name` from the values these records share, unless it was made from a
        sample already or there are fewer than `SAMPLE` records (call before packing them)."""
        if len(values) < SAMPLE:
            return
        known = self._by_name.get(name) or self._stored(name)
        if known is None or not known[2]:
            self._make(name, common(values), learned=True)

    def settle(self, committed: bool) -> None:
        """The open transaction ended: keep the dictionaries it made, or forget them."""
        if not committed:
            for name in self._made:
                known = self._by_name.pop(name, None)
                if known is not None:
                    self._by_id.pop(known[0], None)
        self._made.clear()

    def _dictionary(self, name: str, value: Any) -> tuple[int, bytes, bool]:
        known = self._by_name.get(name) or self._stored(name)
        return known if known is not None else self._make(name, shape(value), learned=False)

    def _stored(self, name: str) -> tuple[int, bytes, bool] | None:
        found = self.db.execute(
            "SELECT id, sample, learned FROM dictionaries WHERE name = ? ORDER BY id DESC LIMIT 1", (name,)
        ).fetchone()
        return None if found is None else self._keep(name, found)

    def _make(self, name: str, sample: Any, *, learned: bool) -> tuple[int, bytes, bool]:
        made = self.db.execute(
            "INSERT INTO dictionaries (name, sample, learned) VALUES (?, ?, ?) RETURNING id, sample, learned",
            (name, dump(sample)[:_DICTIONARY_LIMIT], int(learned)),
        ).fetchone()
        self._made.append(name)
        return self._keep(name, made)

    def _keep(self, name: str, row: Any) -> tuple[int, bytes, bool]:
        known = (int(row["id"]), bytes(row["sample"]), bool(row["learned"]))
        self._by_name[name] = known
        self._by_id[known[0]] = known[1]
        return known

    def _sample(self, number: int) -> bytes:
        if number not in self._by_id:
            found = self.db.execute("SELECT sample FROM dictionaries WHERE id = ?", (number,)).fetchone()
            if found is None:
                raise ValueError(f"the state store has no dictionary {number} for a packed value")
            self._by_id[number] = bytes(found["sample"])
        return self._by_id[number]


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte, number = number & 0x7F, number >> 7
        out.append(byte | (0x80 if number else 0))
        if not number:
            return bytes(out)


def _read_varint(data: bytes, start: int) -> tuple[int, int]:
    number = shift = 0
    position = start
    while True:
        byte = data[position]
        number |= (byte & 0x7F) << shift
        position += 1
        if not byte & 0x80:
            return number, position
        shift += 7
