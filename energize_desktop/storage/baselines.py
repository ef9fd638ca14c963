"""Stored baselines: a name, the meter and temperature channel, and the model as JSON text
(parsed by the analytics layer; nothing in it is ever executed)."""

from __future__ import annotations

from datetime import datetime, timezone

from energize_desktop.core.errors import ValidationError
from energize_desktop.storage.transaction import transaction


class BaselineStore:
    def __init__(self, ws):
        self.ws = ws

    def save(self, name: str, meter_id: int, temperature_meter_id: int | None,
             granularity: str, model_json: str) -> int:
        """Keep a model under `name`, replacing an earlier one of the same name."""
        cur = self.ws.cursor()
        with transaction(cur):
            cur.execute("DELETE FROM baselines WHERE name = ?", [name])
            bid = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM baselines").fetchall()[0][0]
            cur.execute("INSERT INTO baselines VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [bid, name, meter_id, temperature_meter_id, granularity, model_json,
                         datetime.now(timezone.utc).replace(tzinfo=None)])
        return bid

    def load(self, name: str) -> dict:
        rows = self.ws.cursor().execute(
            "SELECT id, name, meter_id, temperature_meter_id, granularity, model, created_at "
            "FROM baselines WHERE name = ?", [name]).fetchall()
        if not rows:
            known = ", ".join(b["name"] for b in self.list()) or "none"
            raise ValidationError(f"baseline {name!r}: not in this workspace (kept: {known})")
        return dict(zip(("id", "name", "meter_id", "temperature_meter_id", "granularity",
                         "model", "created_at"), rows[0]))

    def list(self) -> list[dict]:
        rows = self.ws.cursor().execute(
            "SELECT id, name, meter_id, granularity, created_at FROM baselines ORDER BY id"
        ).fetchall()
        return [dict(zip(("id", "name", "meter_id", "granularity", "created_at"), r))
                for r in rows]
