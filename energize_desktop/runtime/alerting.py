"""Alerts during live acquisition: rules evaluated on each commit, notifications sent from
their own thread so a slow mail server never holds up the writer.

The writer thread calls `feed` with what it just committed; state changes open or resolve
alerts in the workspace (with their audit trail) and queue notifications. `tick` (called by
the engine's timer) raises no-data alerts.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

import numpy as np

from energize_desktop.analytics.alert_rules import Rule, RuleState
from energize_desktop.core.timezones import US
from energize_desktop.storage.alerts import AlertStore

log = logging.getLogger("energize.alerts")


class AlertEngine:
    def __init__(self, ws, notifiers=(), clock=time.time, on_alert=None):
        self.store = AlertStore(ws)
        self.rules = [Rule.from_json(text, rid) for rid, text in self.store.rules()]
        self._by_meter: dict[int, list[Rule]] = {}  # rules checked on each reading
        for r in self.rules:
            if r.meter_id is not None and r.kind in ("above", "below", "rate", "no-data"):
                self._by_meter.setdefault(r.meter_id, []).append(r)
        self.notifiers = list(notifiers)  # objects with notify(alert: dict)
        self._clock, self.on_alert = clock, on_alert
        self._states: dict[tuple[int, int], RuleState] = {}
        self._last_seen: dict[int, float] = {}
        self._prev: dict[int, tuple[float, float]] = {}
        self._outbox: queue.Queue = queue.Queue()
        self._sender = threading.Thread(target=self._send_loop, name="alert notifications",
                                        daemon=True)
        self._sender.start()

    def feed(self, meter_ids: np.ndarray, ts_us: np.ndarray, values: np.ndarray) -> None:
        """Readings just committed (any order of meters; time order within a meter)."""
        now = self._clock()
        for mid, t, v in zip(meter_ids.tolist(), ts_us.tolist(), values.tolist()):
            self._last_seen[mid] = now
            for rule in self._by_meter.get(mid, ()):
                value = self._measure(rule, mid, t, v)
                if value is not None:
                    self._update(rule, mid, value, now)
            self._prev[mid] = (t, v)

    def tick(self) -> None:
        now = self._clock()
        for rule in self.rules:
            if rule.kind == "no-data" and rule.meter_id in self._last_seen:
                minutes = (now - self._last_seen[rule.meter_id]) / 60
                self._update(rule, rule.meter_id, minutes, now)

    def close(self, timeout: float = 30.0) -> None:
        self._outbox.put(None)
        self._sender.join(timeout)

    # -- internals ------------------------------------------------------------------------------
    def _measure(self, rule: Rule, mid: int, t: int, v: float):
        if rule.kind == "rate":
            prev = self._prev.get(mid)
            if prev is None or t <= prev[0]:
                return None
            return abs(v - prev[1]) / ((t - prev[0]) / US / 60)
        if rule.kind == "no-data":
            return 0.0  # data just arrived
        return v

    def _update(self, rule: Rule, mid: int, value: float, now: float) -> None:
        state = self._states.setdefault((rule.id, mid), RuleState())
        change = state.update(rule, value, now)
        if change == "raise":
            message = rule.describe(value)
            aid = self.store.open(rule.id, mid, rule.severity, message, value)
            alert = {"id": aid, "rule": rule.name, "meter_id": mid, "severity": rule.severity,
                     "message": message, "value": value, "raised_at": now}
            self._outbox.put(alert)
        elif change == "clear":
            aid = self.store.active(rule.id, mid)
            if aid is not None:
                self.store.move(aid, "resolve", "energize", f"cleared at {value:,.2f}")

    def _send_loop(self) -> None:
        while (alert := self._outbox.get()) is not None:
            for n in self.notifiers:
                try:
                    n.notify(alert)
                except Exception as exc:  # one channel failing must not stop the others
                    log.error("alert %s: %s", alert["id"], exc)
            if self.on_alert:
                self.on_alert(alert)


class WebhookChannel:
    def __init__(self, webhook):
        self.webhook = webhook

    def notify(self, alert: dict) -> None:
        self.webhook.send({"source": "energize", **alert})


class EmailChannel:
    def __init__(self, email):
        self.email = email

    def notify(self, alert: dict) -> None:
        self.email.send(f"[{alert['severity']}] {alert['rule']}", alert["message"])
