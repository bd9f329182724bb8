"""Where each pipeline's source reading resumes."""

from __future__ import annotations

import json
from typing import Any

from cartsync.engine.state.base import StoreBase


class CursorStore(StoreBase):
    def cursor(self, pipeline: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT cursor FROM cursors WHERE pipeline = ?", (pipeline,)).fetchone()
        return json.loads(row["cursor"]) if row else None

    def save_cursor(self, pipeline: str, cursor: dict[str, Any]) -> None:
        with self.transaction() as tx:
            tx.save_cursor(pipeline, cursor)

    def reset_cursor(self, pipeline: str) -> bool:
        with self.transaction() as tx:
            return tx.db.execute("DELETE FROM cursors WHERE pipeline = ?", (pipeline,)).rowcount > 0
