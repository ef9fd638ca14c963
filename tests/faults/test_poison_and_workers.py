"""A hostile world against real peers: poison MQTT messages are counted, acknowledged and
skipped (never redelivered, never stopping acquisition); a worker that raises is restarted,
and a writer that cannot be restarted stops the process with a non-zero exit and the reason."""

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

POISON = {  # each of these stopped the writer thread for good before
    "meters/a": json.dumps({"value": 1.0, "time": 1e20}),
    "meters/b": json.dumps({"value": 1.0, "time": "0001-01-01T00:00:00+05:00"}),
    "meters/c": "[" * 30_000 + "]" * 30_000,
    "meters/d": json.dumps({"value": 1e308}),
    "meters/e": json.dumps({"value": "nan"}),
}
# a Home Assistant discovery config whose name is a number (it stopped acquisition before)
BAD_DISCOVERY = json.dumps({"name": 42, "state_topic": "sensors/f",
                            "unit_of_measurement": "kWh"})


@pytest.fixture
def broker(tmp_path):
    b = Mosquitto(tmp_path / "broker").start()
    yield b
    b.stop()


def _publish(port, messages, client_id="pub"):
    c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id)
    c.connect("127.0.0.1", port)
    c.loop_start()
    for topic, payload, *retain in messages:
        c.publish(topic, payload, 1, retain=bool(retain)).wait_for_publish()
    c.disconnect()
    c.loop_stop()


def _engine(ws, port, until):
    done = threading.Event()
    settings = BrokerSettings("home", port=port, client_id="logger", subscriptions=(
        Subscription("meters/#", format="json", path="value", unit="kWh"),))
    engine = AcquisitionEngine(ws, SourcesConfig([], [settings]),
                               on_commit=lambda s: until(s) and done.set())
    return engine, done


def _stored(ws) -> int:
    return ws.cursor().execute("SELECT count(*) FROM readings").fetchall()[0][0]


def test_poison_messages_are_counted_acknowledged_and_never_redelivered(ws, broker):
    ws.add_site(Site("Home", "Europe/London"))
    engine, done = _engine(ws, broker.port, lambda s: s.readings >= 3)
    engine.start()
    assert engine.brokers["home"].subscribed.wait(10)
    _publish(broker.port, [("homeassistant/sensor/x/config", BAD_DISCOVERY),
                           ("meters/ok", json.dumps({"value": 1.0})), *POISON.items(),
                           ("meters/ok", json.dumps({"value": 2.0})), ("sensors/f", "5", "retain")])
    assert done.wait(30), engine.status_lines()
    engine.stop()
    status = engine.brokers["home"].status
    assert _stored(ws) == 3 and engine.fatal is None
    assert set(POISON) <= set(status.bad_topics), status.bad_topics
    assert "1900 and 2200" in status.bad_topics["meters/a"][1]
    assert "nested too deeply" in status.bad_topics["meters/c"][1]
    assert "not a measurement" in status.bad_topics["meters/d"][1]
    assert any("bad" in line and "meters/" in line for line in engine.status_lines())
    # the discovery config with a number for its name made a meter named by the text
    assert "42" in {m.name for m in ws.meters()}

    # the next run gets nothing again: every poison message was acknowledged
    again, _ = _engine(ws, broker.port, lambda s: False)
    again.start()
    assert again.brokers["home"].subscribed.wait(10)
    _publish(broker.port, [("meters/ok", json.dumps({"value": 3.0}))], client_id="pub2")
    until = threading.Event()
    again.on_commit = lambda s: s.readings >= 1 and until.set()
    assert until.wait(30)
    again.stop()
    assert again.brokers["home"].status.bad == 0 and _stored(ws) == 4


def test_a_writer_that_raises_is_restarted_and_readings_keep_arriving(ws, broker):
    ws.add_site(Site("Home", "Europe/London"))
    writer = ws.writer()
    real, failures = writer.append, []

    def flaky(data):
        if not failures:
            failures.append(1)
            raise RuntimeError("injected: the disk hiccuped")
        return real(data)

    writer.append = flaky
    engine, done = _engine(ws, broker.port, lambda s: s.readings >= 3)
    engine.start()
    assert engine.brokers["home"].subscribed.wait(10)
    _publish(broker.port, [("meters/ok", json.dumps({"value": float(i)})) for i in range(3)])
    assert done.wait(30), engine.status_lines()
    engine.stop()
    assert failures and engine.writer_failures == 1 and engine.fatal is None
    assert _stored(ws) == 3  # the batch held when it failed was committed on the retry
    assert any("writer restarted 1 time" in line for line in engine.status_lines())


def test_a_writer_that_cannot_be_restarted_stops_acquire_with_the_reason(ws, broker,
                                                                         monkeypatch):
    from energize_desktop.live import acquisition

    monkeypatch.setattr(acquisition, "MAX_WRITER_FAILURES", 2)
    ws.add_site(Site("Home", "Europe/London"))

    def broken(data):
        raise OSError(28, "No space left on device")

    ws.writer().append = broken
    gave_up = threading.Event()
    engine, _ = _engine(ws, broker.port, lambda s: False)
    engine.on_fatal = lambda why: gave_up.set()
    engine.start()
    assert engine.brokers["home"].subscribed.wait(10)
    _publish(broker.port, [("meters/ok", json.dumps({"value": 1.0}))])
    assert gave_up.wait(30)
    engine.stop()
    assert "No space left on device" in engine.fatal and "none of them acknowledged" in \
        engine.fatal
    assert _stored(ws) == 0


def test_acquire_exits_non_zero_when_its_writer_cannot_go_on(tmp_path, broker, monkeypatch,
                                                             capsys):
    from energize_desktop.cli import main
    from energize_desktop.live import acquisition
    from energize_desktop.storage.writer import Writer

    monkeypatch.setattr(acquisition, "MAX_WRITER_FAILURES", 2)
    monkeypatch.setattr(acquisition, "COMMIT_S", 0.05)

    def broken(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Writer, "append", broken)
    config = tmp_path / "c.toml"
    config.write_text(SourcesConfig([], [BrokerSettings(
        "home", port=broker.port, client_id="logger",
        subscriptions=(Subscription("meters/#", format="json", path="value", unit="kWh"),))])
        .dump())
    finished = threading.Event()

    def send():  # until acquire has subscribed and given up, whenever that is
        i = 0
        while not finished.wait(0.1):
            _publish(broker.port, [("meters/ok", json.dumps({"value": 1.0}))], f"p{i}")
            i += 1

    sender = threading.Thread(target=send)
    sender.start()
    try:
        code = main(["acquire", "-w", str(tmp_path / "w.energize"), "-c", str(config),
                     "--duration", "60", "--status-every", "60"])
    finally:
        finished.set()
        sender.join()
    err = capsys.readouterr().err
    assert code == 3 and "acquisition stopped" in err and "No space left" in err
