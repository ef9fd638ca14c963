"""Alert latency during live acquisition: a reading committed → its alert raised and notified.

A publisher sends 1,000 QoS 1 messages/s for 50 meters through a real Mosquitto; one reading
in a hundred per meter is above the meters' 100 kW alert rule (clearing at 50 kW), so about
ten alerts a second open, notify a local webhook server on 127.0.0.1 and resolve. Measured at
the webhook server: from the commit (the alert engine is fed right after it) and from the
reading's publish time. The peer, in the same run: a plain paho subscriber that checks the
same threshold and POSTs straight to the same webhook, storing nothing (the ceiling).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks.common import Figure, Result
from benchmarks.mqtt import METERS, _broker, _free_port, plain_subscriber

LIMIT, CLEAR = 100.0, 50.0
HIGH_EVERY = 100  # rounds over all meters between two high readings of one meter


def value_of(i: int) -> float:
    """The i-th message's value: high once every HIGH_EVERY rounds for each meter."""
    return 500.0 if (i // METERS) % HIGH_EVERY == HIGH_EVERY - 1 else 10.0


def publish(port: int, count: int, rate: float) -> None:
    import paho.mqtt.client as paho

    c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"alert-pub-{time.time()}")
    c.max_inflight_messages_set(1000)
    c.connect("127.0.0.1", port)
    c.loop_start()
    start, infos = time.time(), []
    for i in range(count):
        delay = start + i / rate - time.time()
        if delay > 0:
            time.sleep(delay)
        payload = json.dumps({"ts": round(time.time(), 6), "value": value_of(i)})
        infos.append(c.publish(f"alerts/m{i % METERS}", payload, 1))
        if len(infos) >= 2000:
            infos.pop(0).wait_for_publish(60)
    for info in infos:
        info.wait_for_publish(60)
    c.disconnect()
    c.loop_stop()


class _Receiver(BaseHTTPRequestHandler):
    arrivals: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.arrivals.append((time.time(), json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def _webhook_server():
    _Receiver.arrivals = []
    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/alerts"


def ours(port: int, seconds: int, rate: float) -> dict:
    from energize_desktop.analytics.alert_rules import Rule
    from energize_desktop.live.mqtt import BrokerSettings, Subscription
    from energize_desktop.live.notify import Webhook
    from energize_desktop.live.sources_config import SourcesConfig
    from energize_desktop.core.model import Site
    from energize_desktop.live.acquisition import AcquisitionEngine
    from energize_desktop.live.alerting import AlertEngine, WebhookChannel
    from energize_desktop.storage import Workspace
    from energize_desktop.storage.alerts import AlertStore

    server, url = _webhook_server()
    folder = Path(tempfile.mkdtemp())
    with Workspace.create(folder / "alerts.energize") as ws:
        site = ws.add_site(Site("Bench", "UTC"))
        settings = BrokerSettings("bench", port=port, client_id="energize-alert-bench",
                                  use_discovery=False, subscriptions=(
                                      Subscription("alerts/#", format="json", path="value",
                                                   unit="kW"),))
        engine = AcquisitionEngine(ws, SourcesConfig([], [settings]), site=site).start()
        engine.brokers["bench"].subscribed.wait(10)
        publish(port, METERS, rate)  # one reading each: the meters exist before the rules
        while engine.stats.readings < METERS:
            time.sleep(0.05)
        rule = Rule("Overload", "above", LIMIT, clear=CLEAR, severity="critical",
                    site_id=site.id)
        AlertStore(ws).add_rule(rule.name, rule.to_json(), site_id=site.id)
        alerts = AlertEngine(ws, [WebhookChannel(Webhook(url, retries=0))])
        engine.on_readings = alerts.feed
        expected = _publish_and_wait(port, seconds, rate)
        engine.stop()
        alerts.close()
    server.shutdown()
    return _latencies(expected, lambda a: a["raised_at"])


def peer(port: int, seconds: int, rate: float) -> dict:
    server, url = _webhook_server()

    def on_message(client, userdata, msg):
        d = json.loads(msg.payload)
        if d["value"] > LIMIT:
            body = json.dumps({"reading_ts_us": d["ts"] * 1e6, "value": d["value"]}).encode()
            req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
            urllib.request.urlopen(req, timeout=10).close()

    c = plain_subscriber(port, "alerts/#", "plain-alerting-subscriber", on_message)
    expected = _publish_and_wait(port, seconds, rate)
    c.disconnect()
    c.loop_stop()
    server.shutdown()
    return _latencies(expected, None)


def _publish_and_wait(port: int, seconds: int, rate: float) -> int:
    """Publish the run's messages; wait (up to a minute) for every alert they should raise."""
    count = int(seconds * rate)
    publish(port, count, rate)
    expected = sum(value_of(i) > LIMIT for i in range(count))
    deadline = time.time() + 60
    while len(_Receiver.arrivals) < expected and time.time() < deadline:
        time.sleep(0.1)
    return expected


def _latencies(expected: int, committed_at) -> dict:
    arrivals = list(_Receiver.arrivals)
    from_reading = sorted((t - a["reading_ts_us"] / 1e6) * 1e3 for t, a in arrivals)
    out = {"expected": expected, "notified": len(arrivals),
           "reading_p50_ms": _pct(from_reading, 0.5), "reading_p99_ms": _pct(from_reading, 0.99)}
    if committed_at is not None:
        from_commit = sorted((t - committed_at(a)) * 1e3 for t, a in arrivals)
        out.update(commit_p50_ms=_pct(from_commit, 0.5), commit_p99_ms=_pct(from_commit, 0.99))
    return out


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return statistics.median(values) if q == 0.5 else values[int(q * (len(values) - 1))]


def run(seconds: int = 30, rate: float = 1000.0) -> Result:
    folder = Path(tempfile.mkdtemp())
    proc, port = _broker(folder)
    try:
        a = ours(port, seconds, rate)
        b = peer(port, seconds, rate)
    finally:
        proc.terminate()
        proc.wait(15)
    result = Result("alerts", "plain paho subscriber checking the threshold and POSTing the "
                    "webhook itself, storing nothing (the ceiling)",
                    setup={"seconds": seconds, "messages_per_s": rate, "meters": METERS,
                           "alerts_expected": a["expected"], "notified": a["notified"],
                           "peer_notified": b["notified"]})
    result.figures += [
        Figure("reading committed → alert notified, p50", "ms", a["commit_p50_ms"], None,
               higher_is_better=False),
        Figure("reading committed → alert notified, p99", "ms", a["commit_p99_ms"], None,
               higher_is_better=False, target="< 5,000 ms"),
        Figure("reading published → alert notified, p50", "ms", a["reading_p50_ms"],
               b["reading_p50_ms"], higher_is_better=False),
        Figure("reading published → alert notified, p99", "ms", a["reading_p99_ms"],
               b["reading_p99_ms"], higher_is_better=False),
        Figure("alerts not notified", "alerts", a["expected"] - a["notified"], None,
               higher_is_better=False, target="0")]
    return result
