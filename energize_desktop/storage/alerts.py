"""Alert rules, alerts and their audit trail in the workspace.

An alert moves open → acknowledged → resolved; every change (and every snooze) is a row in
`alert_audit` with who, when and a note, so the history of a fault survives in the file.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from energize_desktop.core.errors import ValidationError
from energize_desktop.storage.transaction import transaction

STATES = ("open", "acknowledged", "resolved")
_MOVES = {"acknowledge": ("open", "acknowledged"), "resolve": (None, "resolved"),
          "reopen": ("resolved", "open")}


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class AlertStore:
    def __init__(self, ws, clock=_now):
        self.ws, self._clock = ws, clock

    # -- rules ----------------------------------------------------------------------------------
    def add_rule(self, name: str, rule_json: str, meter_id=None, site_id=None) -> int:
        cur = self.ws.cursor()
        with transaction(cur):
            rid = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM alert_rules").fetchall()[0][0]
            cur.execute("INSERT INTO alert_rules VALUES (?, ?, ?, ?, ?, TRUE)",
                        [rid, name, meter_id, site_id, rule_json])
        return rid

    def rules(self, enabled_only: bool = True) -> list[tuple[int, str]]:
        where = "WHERE enabled " if enabled_only else ""
        return self.ws.cursor().execute(
            f"SELECT id, rule FROM alert_rules {where}ORDER BY id").fetchall()

    def rule_rows(self) -> list[dict]:
        """Every rule with its name, target and whether it is on (for sharing)."""
        rows = self.ws.cursor().execute("SELECT id, name, meter_id, site_id, rule, enabled FROM "
                                        "alert_rules ORDER BY id").fetchall()
        return [dict(zip(("id", "name", "meter_id", "site_id", "rule", "enabled"), r))
                for r in rows]

    def replace_rule(self, rule_id: int, rule_json: str, meter_id, site_id,
                     enabled: bool) -> None:
        """A rule's definition replaced in place (its alerts keep pointing at it)."""
        cur = self.ws.cursor()
        with transaction(cur):
            cur.execute("UPDATE alert_rules SET rule = ?, meter_id = ?, site_id = ?, enabled = ? "
                        "WHERE id = ?", [rule_json, meter_id, site_id, enabled, rule_id])

    def remove_rule(self, rule_id: int) -> bool:
        """Remove a rule that never raised an alert (one that did stays, for its audit trail:
        switch it off instead); whether it was removed."""
        cur = self.ws.cursor()
        with transaction(cur):
            raised = cur.execute("SELECT count(*) FROM alerts WHERE rule_id = ?",
                                 [rule_id]).fetchall()[0][0]
            if raised:
                return False
            cur.execute("DELETE FROM alert_rules WHERE id = ?", [rule_id])
        return True

    def set_enabled(self, rule_id: int, enabled: bool) -> None:
        cur = self.ws.cursor()
        with transaction(cur):
            if not cur.execute("SELECT 1 FROM alert_rules WHERE id = ?", [rule_id]).fetchall():
                raise ValidationError(f"alert rule {rule_id}: no such rule in this workspace")
            cur.execute("UPDATE alert_rules SET enabled = ? WHERE id = ?", [enabled, rule_id])

    # -- alerts ---------------------------------------------------------------------------------
    def open(self, rule_id: int, meter_id, severity: str, message: str, value=None,
             who: str = "energize") -> int:
        cur = self.ws.cursor()
        now = self._clock()
        with transaction(cur):
            aid = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM alerts").fetchall()[0][0]
            cur.execute("INSERT INTO alerts VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, NULL)",
                        [aid, rule_id, meter_id, severity, message, value, now, now])
            self._audit(cur, aid, who, "open", message)
        return aid

    def move(self, alert_id: int, action: str, who: str, note: str = "") -> None:
        """acknowledge, resolve or reopen, with who did it and why."""
        if action not in _MOVES:
            raise ValidationError(f"alert action {action!r}: expected one of {', '.join(_MOVES)}")
        need, target = _MOVES[action]
        cur = self.ws.cursor()
        with transaction(cur):
            state = self._state(cur, alert_id)
            if (need and state != need) or state == target:
                raise ValidationError(f"alert {alert_id} is {state}: cannot {action} it")
            cur.execute("UPDATE alerts SET state = ?, updated_at = ? WHERE id = ?",
                        [target, self._clock(), alert_id])
            self._audit(cur, alert_id, who, action, note)

    def snooze(self, alert_id: int, minutes: float, who: str, note: str = "") -> datetime:
        until = self._clock() + timedelta(minutes=minutes)
        cur = self.ws.cursor()
        with transaction(cur):
            self._state(cur, alert_id)
            cur.execute("UPDATE alerts SET snoozed_until = ?, updated_at = ? WHERE id = ?",
                        [until, self._clock(), alert_id])
            self._audit(cur, alert_id, who, f"snooze {minutes:g} min", note)
        return until

    def alerts(self, states=("open", "acknowledged")) -> list[dict]:
        marks = ", ".join("?" * len(states))
        rows = self.ws.cursor().execute(
            f"SELECT id, rule_id, meter_id, state, severity, message, value, opened_at, "
            f"snoozed_until FROM alerts WHERE state IN ({marks}) ORDER BY opened_at, id",
            list(states)).fetchall()
        keys = ("id", "rule_id", "meter_id", "state", "severity", "message", "value",
                "opened_at", "snoozed_until")
        return [dict(zip(keys, r)) for r in rows]

    def active(self, rule_id: int, meter_id) -> int | None:
        rows = self.ws.cursor().execute(
            "SELECT id FROM alerts WHERE rule_id = ? AND meter_id IS NOT DISTINCT FROM ? AND "
            "state != 'resolved' ORDER BY id DESC LIMIT 1", [rule_id, meter_id]).fetchall()
        return rows[0][0] if rows else None

    def is_snoozed(self, alert_id: int) -> bool:
        rows = self.ws.cursor().execute("SELECT snoozed_until FROM alerts WHERE id = ?",
                                        [alert_id]).fetchall()
        return bool(rows and rows[0][0] and rows[0][0] > self._clock())

    def audit(self, alert_id: int) -> list[tuple]:
        return self.ws.cursor().execute(
            "SELECT at_ts, who, action, note FROM alert_audit WHERE alert_id = ? "
            "ORDER BY at_ts, rowid", [alert_id]).fetchall()

    def _state(self, cur, alert_id: int) -> str:
        rows = cur.execute("SELECT state FROM alerts WHERE id = ?", [alert_id]).fetchall()
        if not rows:
            raise ValidationError(f"alert {alert_id}: no such alert in this workspace")
        return rows[0][0]

    def _audit(self, cur, alert_id, who, action, note) -> None:
        cur.execute("INSERT INTO alert_audit VALUES (?, ?, ?, ?, ?)",
                    [alert_id, self._clock(), who, action, note])
