"""Two Mosquitto restarts mid-stream with a publisher that retransmits (a persistent session):
a payload that carries its time is stored exactly once under QoS 1 (the store keys on meter and
time). A payload without a time may be stored twice after a broker restart — the publisher's
retransmission is a new message to the broker and only its arrival time tells the two apart —
and the README says so."""

import json
import threading

import paho.mqtt.client as paho
import pytest

from energize_desktop.core.model import Site
from energize_desktop.live.acquisition import AcquisitionEngine
from energize_desktop.live.mqtt import BrokerSettings, Subscription
from energize_desktop.live.sources_config import SourcesConfig
from tests.peers import MOSQUITTO, Mosquitto

pytestmark = pytest.mark.skipif(not __import__("os").path.exists(MOSQUITTO),
                                reason="mosquitto is not installed (make test installs it)")
N = 3000


@pytest.fixture
def broker(tmp_path):
    b = Mosquitto(tmp_path / "broker").start()
    yield b
    b.stop()


def _stored(ws) -> tuple[int, int]:
    rows = ws.cursor().execute("SELECT count(*), count(DISTINCT value) FROM readings").fetchall()
    return rows[0]


def _run(ws, broker, qos: int, timed: bool) -> tuple[int, int]:
    ws.add_site(Site("Home", "UTC"))
    done = threading.Event()
    sub = Subscription("meters/main", qos=qos, format="json", path="value", unit="kWh",
                       channel="Main")
    engine = AcquisitionEngine(ws, SourcesConfig([], [BrokerSettings(
        "home", port=broker.port, client_id="logger", use_discovery=False,
        subscriptions=(sub,))]),
        on_commit=lambda s: s.readings >= N and done.set())
    engine.start()
    assert engine.brokers["home"].subscribed.wait(10)
    pub = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="meter", clean_session=False)
    pub.max_inflight_messages_set(100)
    pub.reconnect_delay_set(0.05, 0.5)
    pub.connect("127.0.0.1", broker.port)
    pub.loop_start()
    infos = []
    for i in range(N):
        if i in (N // 3, 2 * N // 3):
            broker.stop()  # mid-stream, with messages in flight both ways
            broker.start()
        body = {"value": float(i)}
        if timed:
            body["time"] = 1_717_200_000 + 60 * i
        # while the broker is away paho keeps the message and sends it on reconnecting
        infos.append(pub.publish("meters/main", json.dumps(body), qos))
    assert done.wait(90), (_stored(ws), engine.status_lines())
    engine.stop()
    pub.loop_stop()
    return _stored(ws)


def test_timed_payloads_under_qos1_are_stored_exactly_once(ws, broker):
    rows, distinct = _run(ws, broker, qos=1, timed=True)
    assert distinct == N and rows == N
