"""Alerts during live acquisition: rules evaluated on each commit, notifications sent from
their own thread so a slow mail server never holds up the writer.

The writer thread calls `feed` with what it just committed: threshold and rate rules are
checked on each reading, relative rules on each completed hour (against the meter's own
hour-of-week profile). `tick`, from the engine's own timer thread, raises no-data alerts and
runs incremental anomaly detection for meters under anomaly rules.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from datetime import datetime, timezone

import numpy as np

from energize_desktop.analytics.alert_rules import (
    Rule,
    RuleState,
    hour_of_week_profile,
    relative_percent,
)
from energize_desktop.analytics.series import local_slots
from energize_desktop.core.model import Semantics
from energize_desktop.core.timezones import US
from energize_desktop.core.units import parse_unit
from energize_desktop.jobs import detection as detection_job
from energize_desktop.storage.alerts import AlertStore
from energize_desktop.storage.api import WorkspaceAPI
from energize_desktop.storage.metadata import NOTIFICATIONS

log = logging.getLogger("energize.alerts")
HOUR_US = 3600 * US
PROFILE_DAYS = 28  # the relative rules' expectation: the last four weeks
PER_READING = ("above", "below", "rate", "no-data")


class AlertEngine:
    def __init__(self, ws: WorkspaceAPI, notifiers=(), clock=time.time, on_alert=None,
                 anomaly_every_s: float = 900.0, anomaly_lookback_s: float = 86400.0):
        self.ws = ws
        self.store = AlertStore(ws)
        self.rules = [Rule.from_json(text, rid) for rid, text in self.store.rules()]
        self._index()
        self.notifiers = list(notifiers)  # objects with notify(alert: dict)
        self._clock, self.on_alert = clock, on_alert
        self.anomaly_every_s = anomaly_every_s
        self._states: dict[tuple[int, int], RuleState] = {}
        self._last_seen: dict[int, float] = {}
        self._prev: dict[int, tuple[float, float]] = {}
        self._hour: dict[int, int] = {}  # meter -> the hour its latest reading falls in
        self._profiles: dict[int, tuple[int, np.ndarray]] = {}  # meter -> (built for day, 168)
        # the first check looks back a day, not over all history: starting the logger must
        # not replay a year of findings as alerts
        self._anomaly_since = int((clock() - anomaly_lookback_s) * US)
        self._next_anomaly = 0.0
        self._lock = threading.Lock()  # the writer thread and the timer both open alerts
        self._outbox: queue.Queue = queue.Queue()
        self._sender = threading.Thread(target=self._send_loop, name="alert notifications",
                                        daemon=True)
        self._sender.start()

    def _index(self) -> None:
        """Rules by kind group and meter; redone when a new meter appears (a site rule
        covers meters an MQTT device announces later)."""
        self._meters = {m.id: m for m in self.ws.meters()}
        self._by_kind: dict[str, dict[int, list[Rule]]] = {}  # kind group -> meter -> rules
        for r in self.rules:
            group = "reading" if r.kind in PER_READING else r.kind
            for mid in self._targets(r):
                self._by_kind.setdefault(group, {}).setdefault(mid, []).append(r)

    def _targets(self, rule: Rule) -> list[int]:
        if rule.meter_id is not None:
            return [rule.meter_id]
        return [mid for mid, m in self._meters.items() if m.site_id == rule.site_id]

    # -- the writer thread ----------------------------------------------------------------------
    def feed(self, meter_ids: np.ndarray, ts_us: np.ndarray, values: np.ndarray) -> None:
        """Readings just committed (any order of meters; time order within a meter)."""
        now = self._clock()
        if any(mid not in self._meters for mid in np.unique(meter_ids).tolist()):
            self._index()
        reading = self._by_kind.get("reading", {})
        relative = self._by_kind.get("relative", {})
        for mid, t, v in zip(meter_ids.tolist(), ts_us.tolist(), values.tolist()):
            self._last_seen[mid] = now
            for rule in reading.get(mid, ()):
                value = self._measure(rule, mid, t, v)
                if value is not None:
                    self._update(rule, mid, value, now, t)
            self._prev[mid] = (t, v)
            if mid in relative:
                hour = t // HOUR_US
                closed = self._hour.get(mid)
                self._hour[mid] = hour
                if closed is not None and hour > closed:
                    self._hour_closed(mid, closed * HOUR_US, relative[mid], now)

    # -- the timer ------------------------------------------------------------------------------
    def tick(self) -> None:
        now = self._clock()
        for mid, rules in self._by_kind.get("reading", {}).items():
            for rule in rules:
                if rule.kind == "no-data" and mid in self._last_seen:
                    minutes = (now - self._last_seen[mid]) / 60
                    self._update(rule, mid, minutes, now, None)
        if self._by_kind.get("anomaly") and now >= self._next_anomaly:
            self._next_anomaly = now + self.anomaly_every_s
            self.check_anomalies()

    def check_anomalies(self) -> int:
        """Score what arrived since the last check; open one alert per new alarm event whose
        score reaches a rule's limit. Returns the number of alerts opened."""
        since = self._anomaly_since
        # events still growing at the last check end later now: look back over the last hour
        self._anomaly_since = int((self._clock() - 3600) * US)
        opened = 0
        for mid, rules in self._by_kind.get("anomaly", {}).items():
            meter = self._meters.get(mid)
            if meter is None or meter.amount_unit is None:
                continue  # temperatures and other levels: data-quality checks only
            found = detection_job.detect_meter(self.ws, meter, live=True, since_us=since)
            for event in found.alarms():
                for rule in rules:
                    if event.score >= rule.limit:
                        opened += self._open_for_event(rule, mid, event)
        return opened

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
        meter = self._meters.get(mid)
        if rule.kind in ("above", "below") and meter is not None and meter.amount_unit == "kWh":
            return self._energy_measure(rule, meter, mid, t, v)
        return v

    def _energy_measure(self, rule: Rule, meter, mid: int, t: int, v: float):
        """An energy meter's threshold sees kW over the interval (or kWh per interval), never
        the register: a counter's delta since its last reading, an interval meter's amount; a
        counter that went down (reset) or a level (kW already) passes as it is."""
        if meter.semantics is Semantics.INSTANTANEOUS:
            return v * parse_unit(meter.unit).factor  # kW
        factor = parse_unit(meter.unit).factor
        if meter.semantics is Semantics.CUMULATIVE:
            prev = self._prev.get(mid)
            if prev is None or t <= prev[0] or v < prev[1]:
                return None  # the first reading, or a reset: no interval to judge
            kwh, hours = (v - prev[1]) * factor, (t - prev[0]) / US / 3600
        else:
            kwh, hours = v * factor, meter.interval_s / 3600
        return kwh if rule.measure == "energy" else kwh / hours

    def _hour_closed(self, mid: int, start_us: int, rules: list[Rule], now: float) -> None:
        meter = self._meters.get(mid)
        if meter is None:
            return
        column = "amount" if meter.amount_unit else "mean"
        frame = self.ws.queries.rollup("hour", [mid], _dt(start_us), _dt(start_us + HOUR_US))
        if not len(frame):
            return
        expected = self._expected(meter, start_us, column)
        pct = relative_percent(float(frame[column][0]), expected)
        if pct is not None:
            for rule in rules:
                self._update(rule, mid, pct, now, start_us)

    def _expected(self, meter, start_us: int, column: str) -> float:
        """The meter's usual value for this hour of the week; the profile is rebuilt daily."""
        day = start_us // (24 * HOUR_US)
        tz = self.ws.site_of(meter).timezone
        built = self._profiles.get(meter.id)
        if built is None or built[0] != day:
            frame = self.ws.queries.rollup("hour", [meter.id],
                                           _dt(start_us - PROFILE_DAYS * 24 * HOUR_US),
                                           _dt(start_us))
            ts = frame["bucket"].cast(int).to_numpy() if len(frame) else np.zeros(0, np.int64)
            vals = frame[column].to_numpy().astype(float) if len(frame) else np.zeros(0)
            built = (day, hour_of_week_profile(ts, vals, tz))
            self._profiles[meter.id] = built
        _, slot = local_slots(np.array([start_us], np.int64), 3600, tz)
        return float(built[1][slot[0]])

    def _update(self, rule: Rule, mid: int, value: float, now: float, reading_us) -> None:
        state = self._states.setdefault((rule.id, mid), RuleState())
        change = state.update(rule, value, now)
        if change == "raise":
            self._raise(rule, mid, rule.describe(value, self._unit(rule, mid)), value, now,
                        reading_us)
        elif change == "clear":
            with self._lock:
                aid = self.store.active(rule.id, mid)
                if aid is not None:
                    self.store.move(aid, "resolve", "energize", f"cleared at {value:,.2f}")

    def _open_for_event(self, rule: Rule, mid: int, event) -> int:
        with self._lock:
            known = {a["message"] for a in self.store.alerts(("open", "acknowledged",
                                                              "resolved"))
                     if a["rule_id"] == rule.id and a["meter_id"] == mid}
        if event.explanation in known:
            return 0  # the same event seen by an earlier check
        self._raise(rule, mid, event.explanation, event.score, self._clock(), event.start_us)
        return 1

    def _raise(self, rule: Rule, mid: int, message: str, value: float, now: float,
               reading_us) -> None:
        with self._lock:
            if rule.kind != "anomaly" and self.store.active(rule.id, mid) is not None:
                return  # still open (or acknowledged) from before: one alert, not two
            aid = self.store.open(rule.id, mid, rule.severity, message, value)
        meter = self._meters.get(mid)
        self._outbox.put({"id": aid, "rule": rule.name, "meter_id": mid,
                          "meter": meter.name if meter else None, "severity": rule.severity,
                          "message": message, "value": value, "raised_at": now,
                          "reading_ts_us": reading_us})

    def _unit(self, rule: Rule, mid: int) -> str:
        meter = self._meters.get(mid)
        if meter and rule.kind in ("above", "below") and meter.amount_unit == "kWh":
            return "kWh" if rule.measure == "energy" and \
                meter.semantics is not Semantics.INSTANTANEOUS else "kW"
        return meter.unit if meter and rule.kind == "rate" else ""

    def _send_loop(self) -> None:
        while (alert := self._outbox.get()) is not None:
            for n in self.notifiers:
                try:
                    n.notify(alert)
                except Exception as exc:  # one channel failing must not stop the others
                    log.error("alert %s: %s", alert["id"], exc)
            if self.on_alert:
                self.on_alert(alert)


class Ticker:
    """Calls engine.tick() every `every_s` seconds on its own thread until stopped."""

    def __init__(self, engine: AlertEngine, every_s: float = 30.0):
        self.engine, self.every_s = engine, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alert timer", daemon=True)

    def start(self) -> "Ticker":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.engine.tick()
            except Exception:  # a failed check must not end alerting for the session
                log.exception("alert timer")


class LiveAlerts:
    """An alert engine with the workspace's notification channels and its timer: what the
    logger and the window start beside an acquisition engine."""

    def __init__(self, ws: WorkspaceAPI, on_alert=None, tick_s: float = 30.0, extra_channels=()):
        from energize_desktop.live.notify import channels_from_json

        hook, mail = channels_from_json(NOTIFICATIONS.get(ws), f"{ws.path} notifications")
        channels = [WebhookChannel(hook)] if hook else []
        channels += [EmailChannel(mail)] if mail else []
        self.engine = AlertEngine(ws, channels + list(extra_channels), on_alert=on_alert)
        self.ticker = Ticker(self.engine, tick_s).start()
        self.feed = self.engine.feed

    def stop(self) -> None:
        self.ticker.stop()
        self.engine.close()


class WebhookChannel:
    def __init__(self, webhook):
        self.webhook = webhook

    def notify(self, alert: dict) -> None:
        self.webhook.send({"source": "energize", **alert})


class EmailChannel:
    def __init__(self, email):
        self.email = email

    def notify(self, alert: dict) -> None:
        where = f" — {alert['meter']}" if alert.get("meter") else ""
        self.email.send(f"[{alert['severity']}] {alert['rule']}{where}", alert["message"])


def _dt(us: int) -> datetime:
    return datetime.fromtimestamp(us / US, timezone.utc)
