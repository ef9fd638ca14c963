"""Simulated MQTT devices: a Tasmota plug and a Shelly Plus 1PM publishing like real ones
(Tasmota SENSOR every 10 s with a local Time and a climbing Total; Shelly Gen2 status with
apower and aenergy.total), through any broker."""

from __future__ import annotations

import json
import math
import threading
import time

from energize_desktop.live.mqtt import BrokerSettings, Publisher, Subscription

TASMOTA_TOPIC, SHELLY_ID = "plug-fridge", "shellyplus1pm-boiler"


class MqttSimulator:
    def __init__(self, host: str, port: int, every_s: float = 10.0, wall=time.time):
        self.host, self.port, self.every_s, self._wall = host, port, every_s, wall
        self._kwh, self._wh = 1.956, 125_000.0
        self._stop = threading.Event()
        self._client: Publisher | None = None
        self._thread = threading.Thread(target=self._run, name="mqtt-simulator", daemon=True)

    def start(self) -> "MqttSimulator":
        self._client = Publisher(self.host, self.port, "energize-simulator",
                                 will=(f"tele/{TASMOTA_TOPIC}/LWT", "Offline"))
        self._client.publish(f"tele/{TASMOTA_TOPIC}/LWT", "Online", 1, retain=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self._client.close()

    def settings(self) -> BrokerSettings:
        return BrokerSettings("Simulated broker", host=self.host, port=self.port,
                              client_id="energize-logger", subscriptions=(
                                  Subscription("tele/+/SENSOR"),
                                  Subscription(f"{SHELLY_ID}/status/switch:0")))

    def publish_once(self) -> None:
        now = self._wall()
        fridge_w = 60 + 50 * (math.sin(now / 600) > 0)  # the compressor cycles
        boiler_w = 2000.0 if int(now / 900) % 4 == 0 else 0.0
        self._kwh += fridge_w * self.every_s / 3.6e6
        self._wh += boiler_w * self.every_s / 3600
        local = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(now))
        self._client.publish(f"tele/{TASMOTA_TOPIC}/SENSOR", json.dumps(
            {"Time": local, "ENERGY": {"Total": round(self._kwh, 3), "Power": round(fridge_w),
                                       "Voltage": 231, "Current": round(fridge_w / 231, 3)}}), 1)
        self._client.publish(f"{SHELLY_ID}/status/switch:0", json.dumps(
            {"id": 0, "apower": boiler_w, "aenergy": {"total": round(self._wh, 1)}}), 1)

    def _run(self) -> None:
        while True:
            self.publish_once()
            if self._stop.wait(self.every_s):
                return
