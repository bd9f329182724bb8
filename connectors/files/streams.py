"""Any stream name is a file in the folder; files streams can be read and written."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from cartsync.engine.connector import StreamSpec

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class AnyFileStream(Mapping[str, StreamSpec]):
    """A mapping that holds a stream for every valid file name."""

    def __getitem__(self, name: str) -> StreamSpec:
        if not isinstance(name, str) or not _NAME.match(name):
            raise KeyError(name)
        return StreamSpec(
            name=name,
            direction="both",
            record_schema="record.schema.json",
            batch_size=500,
            description=f"the file {name}.jsonl or {name}.csv",
        )

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and bool(_NAME.match(name))

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0
