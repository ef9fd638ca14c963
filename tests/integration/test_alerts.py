"""Alerts: rules with pending periods and hysteresis, the open → acknowledged → resolved
lifecycle with its audit trail, and notifications to a real local HTTP server and a real
local SMTP server (STARTTLS with a throw-away CA), all on 127.0.0.1."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

from energize_desktop.analytics.alert_rules import Rule, RuleState
from energize_desktop.core.errors import ValidationError
from energize_desktop.live.alerting import AlertEngine, EmailChannel, WebhookChannel
from energize_desktop.live.notify import Email, NotifyError, Webhook
from energize_desktop.storage import Workspace
from energize_desktop.storage.alerts import AlertStore
from tests.helpers import free_port


def test_pending_period_and_hysteresis():
    rule = Rule("HVAC overload", "above", 50.0, clear=45.0, pending_s=120, meter_id=1)
    state = RuleState()
    assert state.update(rule, 60, now=0) is None  # pending
    assert state.update(rule, 40, now=60) is None  # dipped: pending restarts
    assert state.update(rule, 60, now=100) is None
    assert state.update(rule, 61, now=220) == "raise"
    assert state.update(rule, 48, now=230) is None  # below the limit, above the clear level
    assert state.update(rule, 44, now=240) == "clear"
    with pytest.raises(ValidationError, match="kind 'sideways'"):
        Rule("x", "sideways", 1, meter_id=1)
    with pytest.raises(ValidationError, match="needs a meter or a site"):
        Rule("x", "above", 1)


def test_alert_lifecycle_is_audited(tmp_path):
    with Workspace.create(tmp_path / "a.energize") as ws:
        store = AlertStore(ws)
        aid = store.open(1, 7, "critical", "Main: 300 kW is above 250 kW", 300.0)
        store.move(aid, "acknowledge", "alice", "on my way")
        with pytest.raises(ValidationError, match="is acknowledged: cannot acknowledge"):
            store.move(aid, "acknowledge", "bob")
        store.snooze(aid, 30, "alice", "contractor on site")
        assert store.is_snoozed(aid)
        store.move(aid, "resolve", "alice", "breaker reset")
        assert store.alerts() == []
        trail = [(who, action, note) for _, who, action, note in store.audit(aid)]
    assert trail == [("energize", "open", "Main: 300 kW is above 250 kW"),
                     ("alice", "acknowledge", "on my way"),
                     ("alice", "snooze 30 min", "contractor on site"),
                     ("alice", "resolve", "breaker reset")]


class _Hook(BaseHTTPRequestHandler):
    failures_left = 2
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if _Hook.failures_left:
            _Hook.failures_left -= 1
            self.send_response(503)
        else:
            _Hook.received.append(json.loads(body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def hook_server():
    _Hook.failures_left, _Hook.received = 2, []
    server = HTTPServer(("127.0.0.1", free_port()), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def test_webhook_retries_with_backoff(hook_server):
    waits = []
    hook = Webhook(f"http://127.0.0.1:{hook_server.server_port}/alerts", retries=3,
                   backoff_s=1.0, sleep=waits.append)
    assert hook.send({"id": 1}) == 3
    assert waits == [1.0, 2.0] and _Hook.received == [{"id": 1}]
    dead = Webhook(f"http://127.0.0.1:{free_port()}/", retries=1, sleep=waits.append)
    with pytest.raises(NotifyError, match="gave up after 2 attempts"):
        dead.send({})


def test_rules_on_committed_readings_raise_resolve_and_notify(tmp_path, hook_server):
    _Hook.failures_left = 0
    done = threading.Event()
    clock = [1000.0]
    with Workspace.create(tmp_path / "a.energize") as ws:
        store = AlertStore(ws)
        rule = Rule("Main overload", "above", 250, clear=200, pending_s=60, meter_id=3,
                    severity="critical")
        store.add_rule(rule.name, rule.to_json(), meter_id=3)
        hook = Webhook(f"http://127.0.0.1:{hook_server.server_port}/", sleep=lambda s: None)
        engine = AlertEngine(ws, [WebhookChannel(hook)], clock=lambda: clock[0],
                             on_alert=lambda a: done.set())
        t0 = 1_700_000_000_000_000
        engine.feed(np.array([3]), np.array([t0]), np.array([300.0]))
        clock[0] += 90
        engine.feed(np.array([3]), np.array([t0 + 90_000_000]), np.array([310.0]))
        assert done.wait(10)
        (alert,) = store.alerts()
        assert alert["severity"] == "critical" and "310.00 is above 250.00" in alert["message"]
        engine.feed(np.array([3]), np.array([t0 + 180_000_000]), np.array([150.0]))
        assert store.alerts() == []
        engine.close()
    assert _Hook.received[0]["rule"] == "Main overload"


def test_email_over_starttls_to_a_local_smtp_server(tmp_path):
    import ssl

    from aiosmtpd.controller import Controller

    from tests.peers import _certificates

    ca = _certificates(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(tmp_path / "server.crt", tmp_path / "server.key")
    got = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            got.append((session.ssl is not None, envelope.content.decode()))
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=ctx,
                            require_starttls=True)
    controller.start()
    try:
        mail = Email("127.0.0.1", port, "energize@site", ("ops@site",), ca_file=str(ca),
                     sleep=lambda s: None)
        EmailChannel(mail).notify({"severity": "critical", "rule": "Main overload",
                                   "message": "Main: 310 kW is above 250 kW"})
        plain = Email("127.0.0.1", port, "energize@site", ("ops@site",), starttls=False,
                      retries=0)
        with pytest.raises(NotifyError):  # the server insists on STARTTLS
            plain.send("x", "y")
    finally:
        controller.stop()
    assert len(got) == 1 and got[0][0]
    assert "Subject: [critical] Main overload" in got[0][1]


def test_a_relative_rule_compares_each_finished_hour_with_the_usual(tmp_path):
    """Four weeks of a 20 kW night / 60 kW day load, then an hour at 45 kW: its mean power
    (trapezoidal, so the last quarter ramps back to 20 kW: 41.9 kW) is +109 % against the
    hour-of-week median and raises; the next ordinary hour clears it."""
    from datetime import datetime

    from energize_desktop.core.model import Meter, Site

    opened = []
    with Workspace.create(tmp_path / "r.energize") as ws:
        site = ws.add_site(Site("Office", "UTC"))
        meter = ws.add_meter(Meter("AHU power", "electricity", "kW", "instantaneous",
                                   site_id=site.id, interval_s=900))
        rule = Rule("AHU above usual", "relative", 50.0, clear=20.0, meter_id=meter.id)
        AlertStore(ws).add_rule(rule.name, rule.to_json(), meter_id=meter.id)
        engine = AlertEngine(ws, on_alert=opened.append)
        t0 = int(datetime(2025, 1, 6).timestamp()) * 1_000_000  # a Monday, UTC
        step = 900 * 1_000_000
        ts = t0 + np.arange(4 * 7 * 96 + 4 * 4) * step
        hour = (ts - t0) // 3_600_000_000 % 24
        kw = np.where((hour >= 8) & (hour < 18), 60.0, 20.0)
        kw[-12:-8] = 45.0  # Monday 01:00-02:00 of week five: the AHU left on
        writer = ws.writer()
        ids = np.full(len(ts), meter.id, np.int32)
        for a in range(0, len(ts), 96):  # a day per commit, fed as the logger would
            writer.append({"meter_id": ids[a:a + 96], "ts": ts[a:a + 96], "value": kw[a:a + 96]})
            engine.feed(ids[a:a + 96], ts[a:a + 96], kw[a:a + 96])
        engine.close()
        store = AlertStore(ws)
        (alert,) = store.alerts(("open", "acknowledged", "resolved"))
        trail = [action for _, _, action, _ in store.audit(alert["id"])]
    assert alert["value"] == pytest.approx(109.375) and "+109 % against the expected" in \
        alert["message"]
    assert trail == ["open", "resolve"]  # 02:00-03:00 was ordinary again
    assert opened[0]["meter"] == "AHU power"


def test_an_anomaly_rule_alerts_once_per_event(demo_copy):
    """The logger starts on 4 Aug 2025 at 20:00 UTC, a week into the HVAC left running at
    night that the demo planted (28 Jul – 11 Aug): the Main incomer above it raises one
    alert; the year before does not replay; a restart does not raise it twice. (A bank
    holiday Monday, an empty building, is no anomaly: it is compared with weekends.)"""
    from datetime import datetime, timezone

    clock = [datetime(2025, 8, 4, 20, tzinfo=timezone.utc).timestamp()]
    with Workspace.open(demo_copy) as ws:
        main_incomer = ws.meter("Main incomer")
        rule = Rule("Main incomer anomalies", "anomaly", 1.0, severity="critical",
                    meter_id=main_incomer.id)
        AlertStore(ws).add_rule(rule.name, rule.to_json(), meter_id=main_incomer.id)
        engine = AlertEngine(ws, clock=lambda: clock[0], anomaly_every_s=60)
        engine.tick()  # the first check: the last day
        first = AlertStore(ws).alerts()
        assert engine.check_anomalies() == 0  # nothing new since
        engine.close()
        restarted = AlertEngine(ws, clock=lambda: clock[0])
        assert restarted.check_anomalies() == 0
        restarted.close()
    (alert,) = first
    assert alert["severity"] == "critical"
    assert alert["message"].startswith("Mon 28 Jul 2025") and "above" in alert["message"]


def test_alerts_command_rules_workflow_and_notify(tmp_path, hook_server, capsys):
    from energize_desktop.cli import main
    from energize_desktop.core.model import Meter, Site

    _Hook.failures_left = 0
    w = tmp_path / "c.energize"
    with Workspace.create(w) as ws:
        site = ws.add_site(Site("Office", "UTC"))
        ws.add_meter(Meter("Main", "electricity", "kW", "instantaneous", site_id=site.id))
    assert main(["alerts", "-w", str(w), "add-rule", "Main overload", "-m", "Main",
                 "--kind", "above", "--limit", "250", "--clear", "200", "--severity",
                 "critical"]) == 0
    assert main(["alerts", "-w", str(w), "add-rule", "x", "-m", "Main", "--kind",
                 "above"]) == 1
    assert "needs a NAME, --kind and --limit" in capsys.readouterr().err
    with Workspace.open(w) as ws:
        engine = AlertEngine(ws)
        engine.feed(np.array([1]), np.array([1_700_000_000_000_000]), np.array([300.0]))
        engine.close()
    assert main(["alerts", "-w", str(w)]) == 0
    out = capsys.readouterr().out
    assert "#1" in out and "Main overload: 300.00 kW is above 250.00 kW" in out
    assert main(["alerts", "-w", str(w), "ack", "1", "--who", "alice", "--note", "on it"]) == 0
    assert main(["alerts", "-w", str(w), "snooze", "1", "--minutes", "30"]) == 0
    assert main(["alerts", "-w", str(w), "resolve", "1", "--who", "alice"]) == 0
    assert main(["alerts", "-w", str(w), "resolve", "1"]) == 1
    assert "alert 1 is resolved: cannot resolve it" in capsys.readouterr().err
    assert main(["alerts", "-w", str(w), "audit", "1", "--json"]) == 0
    trail = json.loads(capsys.readouterr().out)
    assert [(t["who"], t["action"]) for t in trail][:2] == [("energize", "open"),
                                                          ("alice", "acknowledge")]
    assert main(["alerts", "-w", str(w), "rules", "--json"]) == 0
    (rule,) = json.loads(capsys.readouterr().out)
    assert rule["kind"] == "above" and rule["clear"] == 200 and rule["enabled"]
    url = f"http://127.0.0.1:{hook_server.server_port}/hook"
    assert main(["alerts", "-w", str(w), "notify", "--webhook", url, "--test"]) == 0
    assert _Hook.received[-1]["message"] == "a test notification from Energize"
    assert main(["alerts", "-w", str(w), "notify"]) == 0  # kept in the workspace
    assert f"webhook: {url}" in capsys.readouterr().out


def test_a_threshold_on_a_counter_sees_power_never_the_register(tmp_path):
    """The README's "Main overload above 250" on a cumulative kWh register at 45,000 kWh: no
    alert for 100 kW, one when the interval's power passes 250 kW; --measure energy compares
    kWh per interval."""
    from energize_desktop.core.model import Meter, Site

    opened = []
    with Workspace.create(tmp_path / "c.energize") as ws:
        site = ws.add_site(Site("S", "UTC"))
        main = ws.add_meter(Meter("Main", "electricity", "kWh", "cumulative", site_id=site.id))
        store = AlertStore(ws)
        for name, limit, measure in (("overload", 250, "power"), ("big quarter", 70, "energy")):
            rule = Rule(name, "above", limit, meter_id=main.id, measure=measure)
            store.add_rule(rule.name, rule.to_json(), meter_id=main.id)
        engine = AlertEngine(ws, on_alert=opened.append)
        q = 900_000_000  # a quarter hour in µs
        t0 = 1_700_000_000_000_000
        register = [45_000.0, 45_025.0, 45_050.0]  # 25 kWh a quarter: 100 kW
        engine.feed(np.array([main.id] * 3), t0 + q * np.arange(3), np.array(register))
        assert opened == []  # 45,000 "kWh" is not 45,000 kW
        engine.feed(np.array([main.id]), np.array([t0 + 3 * q]), np.array([45_125.0]))
        engine.close()
    messages = sorted(a["message"] for a in opened)
    assert len(messages) == 2
    assert "300.00 kW is above 250.00 kW" in messages[1] and "75.00 kWh" in messages[0]


def test_a_rule_tried_on_history_lists_what_it_would_have_raised(demo_file, capsys):
    """Oracle: the Main incomer's own 15-minute power above 125 kW, counted by hand as runs
    of steps (cleared below 110 kW); test-rule lists as many alerts, each worst value above
    125, and stores nothing."""
    import numpy as np

    from energize_desktop.cli import main
    from energize_desktop.core.periods import period
    from energize_desktop.jobs.detection import meter_series
    from energize_desktop.storage import Workspace

    assert main(["alerts", "-w", str(demo_file), "test-rule", "Main overload", "--meter",
                 "Main incomer", "--kind", "above", "--limit", "125", "--clear", "110",
                 "--period", "2025"]) == 0
    out = capsys.readouterr().out
    with Workspace.open(demo_file, read_only=True) as ws:
        start, end = period("2025", "Europe/London")
        kw = meter_series(ws, ws.meter("Main incomer"), 900, start, end).values * 4
        rules = len(ws.cursor().execute("SELECT * FROM alert_rules").fetchall())
    raised, n = False, 0
    for v in kw[np.isfinite(kw)]:
        if not raised and v > 125:
            raised, n = True, n + 1
        elif raised and v <= 110:
            raised = False
    assert f"would have raised {n} alert(s)" in out and n > 0
    worst = [float(line.split("worst ")[1].split()[0].replace(",", ""))
             for line in out.splitlines() if "worst" in line]
    assert len(worst) == n and min(worst) > 125
    assert rules == 0  # tried, not kept


def test_a_rule_that_raised_an_alert_is_never_removed_only_switched_off(tmp_path):
    with Workspace.create(tmp_path / "w.energize") as ws:
        store = AlertStore(ws)
        quiet = store.add_rule("quiet", '{"name": "quiet", "kind": "above", "limit": 1}', 1)
        loud = store.add_rule("loud", '{"name": "loud", "kind": "above", "limit": 1}', 1)
        store.open(loud, 1, "warning", "2.0 kW is above 1.0 kW", 2.0)
        assert store.remove_rule(quiet) and not store.remove_rule(loud)
        assert [r["name"] for r in store.rule_rows()] == ["loud"]  # its audit trail stays
        assert len(store.alerts()) == 1
