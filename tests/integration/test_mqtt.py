"""MQTT against a real Mosquitto on 127.0.0.1: formats and discovery into meters, bad payloads
counted and survived, QoS 1 exactly once across a broker restart, refused credentials."""

import json
import threading

import paho.mqtt.client as paho
import pytest

from energize_desktop import secrets
from energize_desktop.core.model import Site
from energize_desktop.live.acquisition import AcquisitionEngine
from energize_desktop.live.mqtt import BrokerSettings, Subscription
from energize_desktop.live.sources_config import SourcesConfig
from tests.peers import MOSQUITTO, Mosquitto

pytestmark = pytest.mark.skipif(not __import__("os").path.exists(MOSQUITTO),
                                reason="mosquitto is not installed (make test installs it)")


@pytest.fixture
def broker(tmp_path):
    b = Mosquitto(tmp_path / "broker").start()
    yield b
    b.stop()


def _publisher(port, client_id="pub"):
    c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False)
    c.connect("127.0.0.1", port)
    c.loop_start()
    return c


def _engine(ws, port, subs, until, **kw):
    ws.add_site(Site("Home", "Europe/London"))
    done = threading.Event()
    settings = BrokerSettings("home", port=port, subscriptions=tuple(subs), **kw)
    engine = AcquisitionEngine(ws, SourcesConfig([], [settings], site="Home"),
                               on_commit=lambda s: until(s) and done.set())
    return engine, done


def _count(ws, name=None):
    if name is None:
        return ws.cursor().execute("SELECT count(*) FROM readings").fetchall()[0][0]
    return ws.cursor().execute("SELECT count(*) FROM readings WHERE meter_id = ?",
                               [ws.meter(name).id]).fetchall()[0][0]


def test_formats_and_discovery_become_meters(ws, broker):
    engine, done = _engine(ws, broker.port, [Subscription("tele/+/SENSOR"),
                                             Subscription("shellies/#")],
                           lambda s: s.readings >= 5)
    pub = _publisher(broker.port)
    config = {"name": "Grid import", "state_topic": "meters/main/state",
              "unit_of_measurement": "kWh", "state_class": "total_increasing",
              "value_template": "{{ value_json.total }}"}
    pub.publish("homeassistant/sensor/main/import/config", json.dumps(config), 1,
                retain=True).wait_for_publish()
    pub.publish("meters/main/state", '{"total": 1234.5}', 1, retain=True).wait_for_publish()
    engine.start()
    assert engine.brokers["home"].subscribed.wait(10)
    pub.publish("tele/plug1/SENSOR", '{"Time":"2024-06-01T12:00:00","ENERGY":{"Total":1.956,'
                '"Power":9}}', 1).wait_for_publish()
    pub.publish("shellies/kettle/relay/0/energy", "6000", 1).wait_for_publish()
    pub.publish("shellies/kettle/relay/0/power", "2000", 1).wait_for_publish()
    assert done.wait(30)
    engine.stop()
    pub.loop_stop()
    grid = ws.meter("Grid import")
    assert (grid.unit, grid.semantics) == ("kWh", "cumulative")
    plug = ws.meter("plug1 Energy total")
    assert (plug.unit, plug.semantics) == ("kWh", "cumulative")
    kettle = ws.meter("kettle ch0 Energy total")
    value = ws.cursor().execute("SELECT value FROM readings WHERE meter_id = ?",
                                [kettle.id]).fetchall()[0][0]
    assert value == 100.0  # 6000 watt-minutes
    # Tasmota's Time has no offset: 12:00 in Europe/London (BST) is 11:00 UTC
    ts = ws.cursor().execute("SELECT ts FROM readings WHERE meter_id = ?",
                             [ws.meter("plug1 Power").id]).fetchall()[0][0]
    assert str(ts) == "2024-06-01 11:00:00"


def test_bad_payloads_are_counted_and_survived(ws, broker):
    engine, done = _engine(ws, broker.port,
                           [Subscription("site/kw", format="number", unit="kW", channel="Main")],
                           lambda s: s.readings >= 1, use_discovery=False)
    engine.start()
    assert engine.brokers["home"].subscribed.wait(10)
    pub = _publisher(broker.port)
    for payload in (b"garbage", b"\xff\xfe", b"9" * 100_000, b'{"a": 1}'):
        pub.publish("site/kw", payload, 1).wait_for_publish()
    pub.publish("site/kw", b"12.5", 1).wait_for_publish()
    assert done.wait(30)
    engine.stop()
    pub.loop_stop()
    assert _count(ws) == 1 and _count(ws, "Main") == 1
    assert engine.brokers["home"].status.bad == 4


def test_qos1_messages_arrive_exactly_once_across_a_broker_restart(ws, broker):
    n = 400
    engine, done = _engine(ws, broker.port, [Subscription("logger/main", format="json",
                                                          path="value", unit="kWh",
                                                          channel="Main")],
                           lambda s: _count_safe(ws) >= n, use_discovery=False)
    engine.start()
    assert engine.brokers["home"].subscribed.wait(10)
    pub = _publisher(broker.port, "logger")
    infos = []
    for i in range(n):
        if i == n // 2:
            broker.stop()  # mid-stream: both clients lose the broker
            broker.start()
        payload = json.dumps({"ts": 1_717_200_000 + 60 * i, "value": 1000.0 + i})
        infos.append(pub.publish("logger/main", payload, 1))
    for info in infos:
        info.wait_for_publish(30)
    assert done.wait(60)
    engine.stop()
    pub.loop_stop()
    rows = ws.cursor().execute("SELECT value FROM readings ORDER BY ts").fetchall()
    assert [r[0] for r in rows] == [1000.0 + i for i in range(n)]


def _count_safe(ws):
    try:
        return _count(ws)
    except Exception:  # noqa: BLE001 - counted from the writer thread's own cursor
        return 0


def test_refused_credentials_show_in_status(ws, tmp_path):
    broker = Mosquitto(tmp_path / "secure", users={"meter": "right"}).start()
    try:
        secrets.put("mqtt:meter@secure", "wrong")
        ws.add_site(Site("Home", "UTC"))
        settings = BrokerSettings("secure", port=broker.port, username="meter",
                                  password_key="mqtt:meter@secure")
        engine = AcquisitionEngine(ws, SourcesConfig([], [settings]))
        refused = threading.Event()
        source = None
        engine.start()
        source = engine.brokers["secure"]
        original = source._client.on_connect

        def watch(*args, **kwargs):
            original(*args, **kwargs)
            if source.status.state == "refused":
                refused.set()

        source._client.on_connect = watch
        source._client.reconnect()
        assert refused.wait(30)
        assert "refused" in engine.status_lines()[0]
        engine.stop()
    finally:
        broker.stop()
    assert _count(ws) == 0


def test_simulated_tasmota_and_shelly_reach_the_workspace(ws, broker):
    from energize_desktop.live.mqtt_simulator import MqttSimulator

    sim = MqttSimulator("127.0.0.1", broker.port, every_s=3600)
    ws.add_site(Site("Home", "UTC"))
    done = threading.Event()
    engine = AcquisitionEngine(ws, SourcesConfig([], [sim.settings()]),
                               on_commit=lambda s: s.readings >= 4 and done.set())
    engine.start()
    assert engine.brokers["Simulated broker"].subscribed.wait(10)
    sim.start()  # publishes once at start
    assert done.wait(30)
    engine.stop()
    sim.stop()
    names = {m.name for m in ws.meters()}
    assert {"plug-fridge Energy total", "plug-fridge Power",
            "shellyplus1pm-boiler switch:0 Energy total"} <= names


def _acquired_once(tmp_path, port):
    """A workspace that `energize acquire -c FILE` ran on once (so it keeps the file)."""
    from energize_desktop.cli import main

    config = SourcesConfig([], [BrokerSettings("b", port=port, use_discovery=False)])
    path = tmp_path / "c.toml"
    path.write_text(config.dump())
    w = tmp_path / "w.energize"
    assert main(["acquire", "-w", str(w), "-c", str(path), "--duration", "0.1"]) == 0
    return w


def test_acquire_keeps_its_connections_in_the_workspace(tmp_path, broker, capsys):
    from energize_desktop.cli import main

    w = _acquired_once(tmp_path, broker.port)
    assert main(["acquire", "-w", str(w), "--duration", "0.1"]) == 0  # no --config: kept
    assert "mqtt b:" in capsys.readouterr().out
    w2 = tmp_path / "fresh.energize"
    assert main(["acquire", "-w", str(w2), "--duration", "0.1"]) == 1
    assert "no connections kept" in capsys.readouterr().err


def test_tls_with_the_sites_ca(ws, tmp_path):
    broker = Mosquitto(tmp_path / "tls", tls=True).start()
    try:
        ws.add_site(Site("Home", "UTC"))
        done = threading.Event()
        settings = BrokerSettings("tls", port=broker.port, tls_ca=str(broker.ca),
                                  use_discovery=False, subscriptions=(
                                      Subscription("site/kw", format="number", unit="kW"),))
        engine = AcquisitionEngine(ws, SourcesConfig([], [settings]),
                                   on_commit=lambda s: s.readings >= 1 and done.set())
        engine.start()
        assert engine.brokers["tls"].subscribed.wait(15)
        pub = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="tls-pub")
        pub.tls_set(ca_certs=str(broker.ca))
        pub.connect("127.0.0.1", broker.port)
        pub.loop_start()
        pub.publish("site/kw", "3.25", 1).wait_for_publish(10)
        assert done.wait(30)
        engine.stop()
        pub.disconnect()
        pub.loop_stop()
    finally:
        broker.stop()
    assert ws.cursor().execute("SELECT value FROM readings").fetchall() == [(3.25,)]


def test_a_site_rule_alerts_on_a_meter_the_broker_announces_later(ws, broker):
    """The rule is on the site; the meter appears with its first message. The reading is
    committed, the rule raises, and the alert reaches the notifier and the workspace."""
    from energize_desktop.analytics.alert_rules import Rule
    from energize_desktop.live.alerting import LiveAlerts
    from energize_desktop.storage.alerts import AlertStore

    engine, _ = _engine(ws, broker.port, [Subscription("site/kw", format="number", unit="kW",
                                                       channel="Main")], lambda s: False,
                        use_discovery=False)
    site = ws.sites()[0]
    rule = Rule("Site overload", "above", 100.0, clear=80.0, site_id=site.id)
    AlertStore(ws).add_rule(rule.name, rule.to_json(), site_id=site.id)
    raised = threading.Event()
    got = []
    alerts = LiveAlerts(ws, on_alert=lambda a: (got.append(a), raised.set()))
    engine.on_readings = alerts.feed
    engine.start()
    assert engine.brokers["home"].subscribed.wait(10)
    pub = _publisher(broker.port)
    pub.publish("site/kw", "140.5", qos=1).wait_for_publish(10)
    assert raised.wait(30)
    engine.stop()
    alerts.stop()
    pub.disconnect()
    (alert,) = got
    assert alert["meter"] == "Main" and "140.50 kW is above 100.00 kW" in alert["message"]
    assert [a["id"] for a in AlertStore(ws).alerts()] == [alert["id"]]


def test_acquire_says_how_many_alert_rules_and_channels_it_runs(tmp_path, broker, capsys):
    from energize_desktop.cli import main

    w = _acquired_once(tmp_path, broker.port)
    assert main(["alerts", "-w", str(w), "add-rule", "Quiet", "-s", "Site", "--kind",
                 "no-data", "--limit", "15"]) == 0
    assert main(["alerts", "-w", str(w), "notify", "--webhook",
                 "http://127.0.0.1:9/hook"]) == 0
    capsys.readouterr()
    assert main(["acquire", "-w", str(w), "--duration", "0.1"]) == 0
    assert "alert rules: 1, notification channels: 1" in capsys.readouterr().out
