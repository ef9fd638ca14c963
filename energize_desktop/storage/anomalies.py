"""Anomaly events and per-meter detection settings in the workspace.

Settings are plain JSON text (the analytics layer parses them); events are rows. Replacing a
meter's events from a time on is one transaction, so a cancelled or failed run leaves the
previous results whole.
"""

from __future__ import annotations

from datetime import datetime, timezone

from energize_desktop.core.instants import to_us
from energize_desktop.core.timezones import US
from energize_desktop.storage.transaction import transaction

EVENT_COLS = ("meter_id", "start_ts", "end_ts", "kind", "severity", "score", "explanation",
              "detector", "stake")


def _ts(us: int) -> datetime:
    return datetime.fromtimestamp(us / US, timezone.utc).replace(tzinfo=None)




class AnomalyStore:
    def __init__(self, ws):
        self.ws = ws

    # -- settings -------------------------------------------------------------------------------
    def settings_json(self, meter_id: int) -> str | None:
        rows = self.ws.cursor().execute(
            "SELECT settings FROM detector_settings WHERE meter_id = ?", [meter_id]).fetchall()
        return rows[0][0] if rows else None

    def set_settings_json(self, meter_id: int, text: str) -> None:
        cur = self.ws.cursor()
        with transaction(cur):
            cur.execute("DELETE FROM detector_settings WHERE meter_id = ?", [meter_id])
            cur.execute("INSERT INTO detector_settings VALUES (?, ?, ?)",
                        [meter_id, text, datetime.now(timezone.utc).replace(tzinfo=None)])

    # -- events ---------------------------------------------------------------------------------
    def replace_events(self, meter_id: int, events: list[dict], since_us: int | None = None):
        """Store a run's events for a meter, replacing those it recomputed (from `since_us`)."""
        cur = self.ws.cursor()
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        with transaction(cur):
            if since_us is None:
                cur.execute("DELETE FROM anomaly_events WHERE meter_id = ?", [meter_id])
            else:
                cur.execute("DELETE FROM anomaly_events WHERE meter_id = ? AND end_ts > ?",
                            [meter_id, _ts(since_us)])
            next_id = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM anomaly_events"
                                  ).fetchall()[0][0]
            rows = []
            for i, e in enumerate(events):
                rows.append([next_id + i, meter_id, _ts(e["start_us"]), _ts(e["end_us"]),
                             e["kind"], e["severity"], float(e["score"]), e["explanation"],
                             e["detector"], e.get("stake"), now])
            if rows:
                cur.executemany(f"INSERT INTO anomaly_events (id, {', '.join(EVENT_COLS)}, "
                                "found_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                "ON CONFLICT DO NOTHING", rows)

    def events(self, meter_ids=None, start_us=None, end_us=None, min_severity=None) -> list[dict]:
        where, params = ["TRUE"], []
        if meter_ids is not None:
            ids = list(meter_ids)
            where.append(f"meter_id IN ({', '.join('?' * len(ids))})" if ids else "FALSE")
            params += ids
        if start_us is not None:
            where.append("end_ts > ?")
            params.append(_ts(start_us))
        if end_us is not None:
            where.append("start_ts < ?")
            params.append(_ts(end_us))
        if min_severity == "warning":
            where.append("severity IN ('warning', 'critical')")
        elif min_severity == "critical":
            where.append("severity = 'critical'")
        rows = self.ws.cursor().execute(
            f"SELECT id, {', '.join(EVENT_COLS)} FROM anomaly_events WHERE {' AND '.join(where)} "
            "ORDER BY start_ts, meter_id", params).fetchall()
        return [dict(zip(("id", "meter_id", "start_us", "end_us", "kind", "severity", "score",
                          "explanation", "detector", "stake"),
                         (r[0], r[1], to_us(r[2]), to_us(r[3]), *r[4:]))) for r in rows]
