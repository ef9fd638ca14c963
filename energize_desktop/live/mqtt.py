"""The one module that imports paho-mqtt (2.x).

A persistent session (clean_session off) and manual acknowledgement: a QoS 1 message is
acknowledged only after the batch holding its readings is committed, so a crash or a broker
restart loses nothing — the broker delivers again what was not acknowledged. Reconnects back
off from 1 to 60 s. The password comes from the OS keyring; TLS takes a CA file and an optional
client certificate.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from energize_desktop import secrets

log = logging.getLogger("energize.mqtt")
SESSION_EXPIRY_S = 7 * 24 * 3600  # the broker keeps our queue for a week offline
RECEIVE_MAXIMUM = 65535


@dataclass(frozen=True)
class Subscription:
    topic: str
    qos: int = 1
    format: str = "auto"
    path: str | None = None  # JSON path of the value
    channel: str | None = None  # meter name (default: from the topic or the format)
    unit: str | None = None  # for plain numbers and JSON values

    def __post_init__(self):
        # QoS 2 is refused: paho keeps a QoS 2 message only in memory between its PUBREC and
        # our commit, and after a broker restart leaves the repeated PUBREL unanswered, which
        # stalls the subscription. QoS 1 with acknowledgement after commit loses nothing, and a
        # payload that carries its time is stored once however often it comes.
        if self.qos not in (0, 1):
            from energize_desktop.core.errors import ValidationError

            raise ValidationError(f"subscription {self.topic!r}: qos {self.qos!r}: use 1 (at "
                                  "least once, made exactly once by a time in the payload) or 0",
                                  field="qos")


@dataclass(frozen=True)
class BrokerSettings:
    name: str
    host: str = "127.0.0.1"
    port: int = 1883
    client_id: str = "energize"
    username: str = ""
    password_key: str = ""  # keyring entry; the password itself is never in a file
    password_source: str = ""  # or named: env:VAR, file:/path (0600), systemd:NAME
    tls_ca: str = ""
    tls_cert: str = ""
    tls_key: str = ""
    keepalive: int = 30
    discovery_prefix: str = "homeassistant"
    use_discovery: bool = True
    subscriptions: tuple[Subscription, ...] = ()


@dataclass(frozen=True)
class Message:
    broker: str
    topic: str
    payload: bytes
    mid: int
    qos: int
    received_us: int


@dataclass
class BrokerStatus:
    state: str = "connecting"  # connecting, connected, disconnected, refused
    since: float = field(default_factory=time.time)
    last_error: str = ""
    messages: int = 0
    bad: int = 0
    bad_topics: dict[str, tuple[int, str]] = field(default_factory=dict)  # count, last reason

    def count_bad(self, topic: str, reason: str) -> bool:
        """Count a message skipped; True the first time for this topic (log it then)."""
        self.bad += 1
        count, _ = self.bad_topics.get(topic, (0, ""))
        if count == 0 and len(self.bad_topics) >= 1000:  # a flood of topics: keep a bounded map
            self.bad_topics.pop(next(iter(self.bad_topics)))
        self.bad_topics[topic] = (count + 1, reason[:200])
        return count == 0

    def bad_text(self) -> str:
        """The topics with bad messages, the most first, each with its last reason."""
        worst = sorted(self.bad_topics.items(), key=lambda kv: -kv[1][0])[:3]
        return "; ".join(f"{t}: {n} ({why})" for t, (n, why) in worst)

    def text(self) -> str:
        when = time.strftime("%H:%M:%S", time.localtime(self.since))
        detail = f" ({self.last_error})" if self.last_error and self.state != "connected" else ""
        return f"{self.state} since {when}{detail}"


class MqttSource:
    def __init__(self, settings: BrokerSettings, sink):
        self.settings, self._sink = settings, sink
        self.status = BrokerStatus()
        self._extra_topics: set[str] = set()
        self._paused = False
        self.subscribed = threading.Event()  # set once the broker confirmed the subscriptions
        self._lock = threading.Lock()
        s = settings
        # MQTT 5, so that the session outlives a disconnect and so that we may announce how
        # many unacknowledged messages we accept: brokers default to 20 in flight, which with
        # acknowledgement after commit would cap intake at 20 messages per commit.
        self._client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=s.client_id,
                                   protocol=paho.MQTTv5, manual_ack=True)
        if s.username:
            source = s.password_source or s.password_key
            password = secrets.read(source) if source else None
            self._client.username_pw_set(s.username, password)
        if s.tls_ca:
            self._client.tls_set(ca_certs=s.tls_ca, certfile=s.tls_cert or None,
                                 keyfile=s.tls_key or None)
        self._client.reconnect_delay_set(1, 60)
        self._client.max_inflight_messages_set(1000)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.on_subscribe = lambda *a, **k: self.subscribed.set()

    def start(self) -> "MqttSource":
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        props.ReceiveMaximum = RECEIVE_MAXIMUM
        self._client.connect_async(self.settings.host, self.settings.port,
                                   keepalive=self.settings.keepalive, clean_start=False,
                                   properties=props)
        self._client.loop_start()
        return self

    def pause(self) -> None:
        """Stop handing messages on (unacknowledged ones stay with the broker)."""
        self._paused = True

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def subscribe(self, topic: str, qos: int = 1) -> None:
        """Also follow `topic` (a state topic announced by discovery), now and on reconnects."""
        with self._lock:
            if topic in self._extra_topics:
                return
            self._extra_topics.add(topic)
        self._client.subscribe(topic, qos)

    def ack(self, mid: int, qos: int) -> None:
        if qos > 0:
            self._client.ack(mid, qos)

    # -- paho callbacks (on paho's network thread) ----------------------------------------------
    def _on_connect(self, client, userdata, flags, reason, properties=None):
        if reason.is_failure:
            self._set("refused", str(reason))
            log.error("%s: broker refused the connection: %s", self.settings.name, reason)
            return
        self._set("connected", "")
        topics = [(sub.topic, sub.qos) for sub in self.settings.subscriptions]
        if self.settings.use_discovery:
            topics.append((f"{self.settings.discovery_prefix}/#", 1))
        with self._lock:
            topics += [(t, 1) for t in self._extra_topics]
        if topics:
            client.subscribe(topics)

    def _on_disconnect(self, client, userdata, flags, reason, properties=None):
        if self.status.state != "refused" or not reason.is_failure:
            self._set("disconnected", str(reason))

    def _on_message(self, client, userdata, msg):
        if self._paused:
            return
        self.status.messages += 1
        try:  # nothing a message holds may stop paho's network thread
            message = Message(self.settings.name, str(msg.topic), bytes(msg.payload), msg.mid,
                              msg.qos, int(time.time() * 1_000_000))
        except Exception as exc:  # a topic that is not UTF-8: counted, acknowledged, skipped
            if self.status.count_bad("?", f"unreadable message ({exc})"):
                log.error("%s: unreadable message skipped: %s", self.settings.name, exc)
            self.ack(msg.mid, msg.qos)
            return
        self._sink(message)

    def _set(self, state: str, error: str) -> None:
        if state != self.status.state:
            self.status.state, self.status.since = state, time.time()
        self.status.last_error = error


def matches(subscription: str, topic: str) -> bool:
    return paho.topic_matches_sub(subscription, topic)


class Publisher:
    """A small publishing client (the simulator's devices)."""

    def __init__(self, host: str, port: int, client_id: str,
                 will: tuple[str, str] | None = None):
        self._client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id)
        if will:
            self._client.will_set(will[0], will[1], 1, retain=True)
        self._client.connect(host, port)
        self._client.loop_start()

    def publish(self, topic: str, payload: str, qos: int = 1, retain: bool = False) -> None:
        self._client.publish(topic, payload, qos, retain=retain)

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
