"""Reads and writes JSON Lines or CSV files in a folder.

Reading streams the file line by line; the cursor is the number of records already read, so a
later run reads only what was appended. Writing appends, one record per line. `reconcile` looks a
record up in its file: a line equal to it means it was written.

A crash (or a power cut) can leave the last line cut short, without its line end. Such a line is
no record: a JSON Lines reader stops before it, and the next write removes it before appending
(its record's outcome was unknown; `reconcile` finds no trace of it, so it is written again). A
last JSON line that is complete but only lacks its line end (a file written by hand) is kept and
ended. cartsync ends every CSV row it writes, so a CSV row without its line end is removed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from cartsync.connectors.files.settings import FilesSettings
from cartsync.connectors.files.streams import AnyFileStream
from cartsync.engine.connector import CheckReport, Connector, Outcome, Page, StreamSpec
from cartsync.engine.errors import ConnectError

PAGE_SIZE = 500


class FilesConnector(Connector):
    name: ClassVar[str] = "files"
    settings_spec: ClassVar[type[FilesSettings]] = FilesSettings
    streams: ClassVar[Mapping[str, StreamSpec]] = AnyFileStream()

    def __init__(self, connection_name: str, settings: Mapping[str, Any]) -> None:
        super().__init__(connection_name, settings)
        config = FilesSettings.from_mapping(settings)
        self.folder = Path(config.folder)
        self.format = config.format

    def path(self, stream: str) -> Path:
        return self.folder / f"{stream}.{self.format}"

    def check(self) -> CheckReport:
        report = CheckReport(self.name)
        if not self.folder.is_dir():
            raise ConnectError(
                f"The folder {self.folder} of connection '{self.connection_name}' does not exist.",
                hint="Create it, or fix `folder` in connections.yaml.",
            )
        report.add("folder", self.folder)
        report.add("format", self.format)
        report.add("files", ", ".join(sorted(p.name for p in self.folder.glob(f"*.{self.format}"))) or "none")
        return report

    def read(
        self, stream: str, params: Mapping[str, Any], cursor: Mapping[str, Any] | None
    ) -> Iterator[Page]:
        path = self.path(stream)
        if not path.exists():
            raise ConnectError(
                f"Stream '{stream}' of connection '{self.connection_name}' has no file {path}.",
                hint=f"Put the records in {path.name}, or fix the stream name.",
            )
        start = int((cursor or {}).get("line", 0))
        page: list[dict[str, Any]] = []
        position = 0
        for position, record in enumerate(self._records(path), start=1):
            if position <= start:
                continue
            page.append(record)
            if len(page) >= PAGE_SIZE:
                yield Page(page, {"line": position})
                page = []
        if page or position <= start:
            yield Page(page, {"line": max(position, start)})

    def _records(self, path: Path) -> Iterator[dict[str, Any]]:
        with path.open(encoding="utf-8", newline="") as handle:
            if self.format == "csv":
                yield from csv.DictReader(handle)
                return
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as error:
                        if not line.endswith("\n"):
                            return  # the last line, cut short (or still being written): no record yet
                        raise ConnectError(
                            f"{path}:{number}: not valid JSON ({error.msg}).",
                            hint="Each line of a .jsonl file must be one JSON object.",
                        ) from None

    def write(self, stream: str, records: list[dict[str, Any]]) -> list[Outcome]:
        path = self.path(stream)
        path.parent.mkdir(parents=True, exist_ok=True)
        _end_last_line(path, keep_complete_json=self.format == "jsonl")
        if self.format == "csv":
            return self._append_csv(path, records)
        with path.open("a", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, sort_keys=True, default=str) + "\n")
        return [Outcome.ok() for _ in records]

    def reconcile(self, stream: str, records: list[dict[str, Any]]) -> list[Outcome | None]:
        """ok for each record a line of the file already holds, None for the others."""
        path = self.path(stream)
        if not path.exists():
            return [None] * len(records)
        header = _csv_header(path) if self.format == "csv" else None
        with path.open(encoding="utf-8", newline="") as handle:
            lines = csv.DictReader(handle) if header else (_json_line(line) for line in handle)
            written = {_canonical(line, header) for line in lines if line is not None}
        return [Outcome.ok() if _canonical(record, header) in written else None for record in records]

    def _append_csv(self, path: Path, records: list[dict[str, Any]]) -> list[Outcome]:
        """Append rows under the file's existing header (or a new one from the first batch).

        A record with a field the header lacks is rejected, not written into the wrong column.
        """
        header = _csv_header(path) or sorted({name for record in records for name in record})
        outcomes = []
        with path.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            if handle.tell() == 0:
                writer.writeheader()
            for record in records:
                extra = sorted(set(record) - set(header))
                if extra:
                    outcomes.append(
                        Outcome.rejected(
                            f"{path.name} has no column {', '.join(extra)} (columns: {', '.join(header)})"
                        )
                    )
                    continue
                writer.writerow(record)
                outcomes.append(Outcome.ok())
        return outcomes


def _end_last_line(path: Path, *, keep_complete_json: bool) -> None:
    """Before an append: a last line without its line end is a write cut short, removed (or, when
    `keep_complete_json` and it is a whole JSON value, ended), so the next record starts a line."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as handle:
        handle.seek(-1, 2)
        if handle.read(1) == b"\n":
            return  # the usual case: one byte read
        handle.seek(0)
        content = handle.read()
        tail_start = content.rfind(b"\n") + 1
        if keep_complete_json and _json_line(content[tail_start:].decode("utf-8", "replace")) is not None:
            handle.write(b"\n")
        else:
            handle.truncate(tail_start)


def _csv_header(path: Path) -> list[str] | None:
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle), None)


def _json_line(line: str) -> dict[str, Any] | None:
    """A line of a .jsonl file; None for a blank or broken one (a write cut short)."""
    try:
        return json.loads(line) if line.strip() else None
    except json.JSONDecodeError:
        return None


def _canonical(record: dict[str, Any], header: list[str] | None) -> str:
    """A record as its line reads back: JSON with sorted keys, or the CSV row's texts by column."""
    if header is None:
        return json.dumps(json.loads(json.dumps(record, default=str)), sort_keys=True)
    return json.dumps([_csv_text(record.get(column)) for column in header])


def _csv_text(value: Any) -> str:
    return "" if value is None else str(value)
