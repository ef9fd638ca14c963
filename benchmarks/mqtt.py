"""MQTT benchmark: QoS 1 messages from a publisher process through a real Mosquitto into the
workspace, with zero loss required; beside a plain paho subscriber that stores nothing (the
ceiling). Then the latency from publish to commit at a steady 1,000 messages/s (p50, p99).
"""

from __future__ import annotations

import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.common import Figure, Result

ROOT = Path(__file__).parents[1]
METERS = 50
PUBLISHERS = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _broker(folder: Path):
    port = _free_port()
    conf = folder / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages "
                    f"1000000\nmax_inflight_messages 1000\nlog_dest none\nuser root\n")
    proc = subprocess.Popen([shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c",
                             str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("mosquitto did not start")


def publish(port: int, count: int, rate: float = 0.0, which: int = 0) -> None:
    """Publish `count` QoS 1 messages (at `rate` per second, 0 = as fast as acknowledged)."""
    import paho.mqtt.client as paho

    c = paho.Client(paho.CallbackAPIVersion.VERSION2,
                    client_id=f"bench-pub-{which}-{time.time()}")
    c.max_inflight_messages_set(1000)
    c.connect("127.0.0.1", port)
    c.loop_start()
    start = time.time()
    infos = []
    for i in range(count):
        if rate:
            due = start + i / rate
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)
        now = time.time()
        payload = json.dumps({"ts": round(now, 6), "value": float(i)})
        infos.append(c.publish(f"bench/p{which}/m{i % (METERS // PUBLISHERS)}", payload, 1))
        if len(infos) >= 2000:  # flow control: keep at most ~2,000 messages outstanding
            infos.pop(0).wait_for_publish(60)
    for info in infos:
        info.wait_for_publish(60)
    c.disconnect()
    c.loop_stop()


class _Publishers:
    """PUBLISHERS processes sharing the messages (one paho publisher is the ceiling else)."""

    def __init__(self, port: int, count: int, rate: float = 0.0):
        self.procs = [subprocess.Popen(
            [sys.executable, "-c", f"from benchmarks.mqtt import publish; "
             f"publish({port}, {count // PUBLISHERS}, {rate / PUBLISHERS}, {k})"], cwd=ROOT)
            for k in range(PUBLISHERS)]

    def wait(self) -> None:
        for p in self.procs:
            p.wait()


def _publisher(port: int, count: int, rate: float = 0.0) -> _Publishers:
    return _Publishers(port, count, rate)


def ours(port: int, count: int, rate: float = 0.0) -> dict:
    from energize_desktop.live.mqtt import BrokerSettings, Subscription
    from energize_desktop.live.sources_config import SourcesConfig
    from energize_desktop.core.model import Site
    from energize_desktop.live.acquisition import AcquisitionEngine
    from energize_desktop.storage import Workspace

    folder = Path(tempfile.mkdtemp())
    latencies: list[float] = []
    done = threading.Event()
    with Workspace.create(folder / "mqtt.energize") as ws:
        ws.add_site(Site("Bench", "UTC"))
        last = [0]

        def committed(stats):
            now_us = time.time() * 1e6
            rows = ws.cursor().execute("SELECT epoch_us(ts) FROM readings WHERE epoch_us(ts) > ?",
                                       [last[0]]).fetchall()
            if rows:
                stamps = [r[0] for r in rows]
                latencies.extend((now_us - t) / 1e3 for t in stamps)
                last[0] = max(stamps)
            if stats.readings >= count:
                done.set()

        settings = BrokerSettings("bench", port=port, client_id=f"energize-bench-{rate}",
                                  use_discovery=False, subscriptions=(
                                      Subscription("bench/#", format="json", path="value",
                                                   unit="kWh"),))
        engine = AcquisitionEngine(ws, SourcesConfig([], [settings]), on_commit=committed)
        engine.start()
        engine.brokers["bench"].subscribed.wait(10)
        pub = _publisher(port, count, rate)
        t0 = time.time()
        done.wait(600)
        elapsed = time.time() - t0
        pub.wait()
        engine.stop()
        stored = ws.cursor().execute("SELECT count(*) FROM readings").fetchall()[0][0]
    latencies.sort()
    return {"rate": count / elapsed, "stored": stored, "sent": count,
            "p50_ms": statistics.median(latencies) if latencies else None,
            "p99_ms": latencies[int(0.99 * (len(latencies) - 1))] if latencies else None}


def plain_subscriber(port: int, topic: str, client_id: str, on_message):
    """A bare paho client subscribed at QoS 1 (returned once the broker has confirmed)."""
    import paho.mqtt.client as paho

    subscribed = threading.Event()
    c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id)
    c.on_message = on_message
    c.on_subscribe = lambda *a, **k: subscribed.set()
    c.connect("127.0.0.1", port)
    c.subscribe(topic, 1)
    c.loop_start()
    subscribed.wait(10)
    return c


def peer(port: int, count: int) -> dict:
    received = [0]
    done = threading.Event()

    def on_message(client, userdata, msg):
        received[0] += 1
        if received[0] >= count:
            done.set()

    c = plain_subscriber(port, "bench/#", "plain-subscriber", on_message)
    pub = _publisher(port, count)
    t0 = time.time()
    done.wait(600)
    elapsed = time.time() - t0
    pub.wait()
    c.disconnect()
    c.loop_stop()
    return {"rate": count / elapsed, "received": received[0]}


def run(count: int = 100_000, latency_seconds: int = 20) -> Result:
    folder = Path(tempfile.mkdtemp())
    proc, port = _broker(folder)
    try:
        a = ours(port, count)
        b = peer(port, count)
        lat = ours(port, 1000 * latency_seconds, rate=1000.0)
    finally:
        proc.terminate()
        proc.wait(15)
    result = Result("mqtt", "plain paho subscriber storing nothing (the ceiling)",
                    setup={"messages": count, "qos": 1, "meters": METERS,
                           "latency_run": f"{latency_seconds} s at 1,000 msg/s"})
    result.figures.append(Figure("QoS 1 messages into the workspace", "messages/s", a["rate"],
                                 b["rate"], target=">= 5,000/s with zero loss",
                                 note=f"stored {a['stored']:,} of {a['sent']:,}"))
    result.figures.append(Figure("lost messages", "messages", a["sent"] - a["stored"], None,
                                 higher_is_better=False, target="0"))
    result.figures.append(Figure("publish to commit, p50 at 1,000 msg/s", "ms", lat["p50_ms"],
                                 None, higher_is_better=False))
    result.figures.append(Figure("publish to commit, p99 at 1,000 msg/s", "ms", lat["p99_ms"],
                                 None, higher_is_better=False, target="< 1,000 ms"))
    return result
