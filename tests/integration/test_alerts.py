"""Alerts: rules with pending periods and hysteresis, the open → acknowledged → resolved
lifecycle with its audit trail, and notifications to a real local HTTP server and a real
local SMTP server (STARTTLS with a throw-away CA), all on 127.0.0.1."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

from energize_desktop.analytics.alert_rules import Rule, RuleState
from energize_desktop.connectors.notify import Email, NotifyError, Webhook
from energize_desktop.core.errors import ValidationError
from energize_desktop.runtime.alerting import AlertEngine, EmailChannel, WebhookChannel
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
