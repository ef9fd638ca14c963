"""MQTT messages to readings: which format, which meter, which time; bad payloads counted.

Runs on the engine's writer thread. Meters are created on first sight of a channel, with the
unit and semantics the payload format, a Home Assistant discovery config or the subscription
gives. A message is acknowledged after the commit that holds its readings — or at once if it
holds none (a bad payload, a status, a discovery config), so the broker does not resend it.
"""

from __future__ import annotations

import logging
from datetime import timezone
from zoneinfo import ZoneInfo

from energize_desktop.core.channels import live_semantics, meter_kind
from energize_desktop.core.model import Meter, Semantics
from energize_desktop.core.units import UnitError, implausible, plausibility_error
from energize_desktop.live import payloads
from energize_desktop.live.mqtt import Message, MqttSource, matches
from energize_desktop.storage.api import WorkspaceAPI

log = logging.getLogger("energize.mqtt")


class MqttIntake:
    def __init__(self, ws: WorkspaceAPI, site, sources: dict[str, MqttSource]):
        self.ws, self.site, self.sources = ws, site, sources
        self.zone = ZoneInfo(site.timezone)
        self._discovered: dict[str, payloads.Discovery] = {}
        self._meters = {m.name: m for m in ws.meters(site)}
        self._routes: dict = {}

    def readings(self, messages: list[Message]):
        """(meter ids, ts µs, values, acks) for a batch of messages."""
        ids, ts, values, acks = [], [], [], []
        for msg in messages:
            acks.append((msg.broker, msg.mid, msg.qos))
            try:  # each message in its own error boundary: one cannot stop the others
                found = list(self._message(msg))
            except (payloads.PayloadError, UnitError) as exc:
                self._bad(msg, str(exc))
                continue
            except Exception as exc:  # a payload we did not foresee: logged once, skipped
                self._bad(msg, f"{type(exc).__name__}: {exc}", unexpected=True)
                continue
            for meter_id, t, v in found:
                ids.append(meter_id)
                ts.append(t)
                values.append(v)
        return ids, ts, values, acks

    def ack(self, acks) -> None:
        for broker, mid, qos in acks:
            self.sources[broker].ack(mid, qos)

    def _message(self, msg: Message):
        source = self.sources[msg.broker]
        prefix = source.settings.discovery_prefix
        if msg.topic.startswith(prefix + "/") and msg.topic.endswith("/config"):
            found = payloads.discovery(msg.topic, msg.payload)
            if found:
                self._discovered[found.state_topic] = found
                source.subscribe(found.state_topic)
            return []
        if msg.topic in self._discovered:
            d = self._discovered[msg.topic]
            fmt = "json" if d.path else "number"
            found = payloads.parse(msg.topic, msg.payload, fmt, d.path, d.channel)
            return [self._reading(v, d.unit, d.semantics, msg) for v in found]
        sub = self._subscription(source, msg.topic)
        if sub is None:
            return []
        found = payloads.parse(msg.topic, msg.payload, sub.format, sub.path, sub.channel)
        return [self._reading(v, sub.unit, None, msg) for v in found]

    def _subscription(self, source, topic: str):
        key = (source.settings.name, topic)
        if key not in self._routes:  # topics repeat: match each one once
            self._routes[key] = next((s for s in source.settings.subscriptions
                                      if matches(s.topic, topic)), None)
        return self._routes[key]

    def _reading(self, value: payloads.Value, unit, semantics, msg: Message):
        unit = value.unit or unit
        if not unit:
            raise payloads.PayloadError(f"{msg.topic}: no unit for {value.channel!r}; give the "
                                        "subscription a unit")
        if implausible([value.value], unit)[0]:
            raise payloads.PayloadError(f"{msg.topic}: {plausibility_error(value.value, unit)}")
        meter = self._meter(value.channel, unit, value.semantics or semantics, msg)
        if value.ts is None:
            ts = msg.received_us
        else:
            aware = value.ts if value.ts.tzinfo else value.ts.replace(tzinfo=self.zone)
            try:
                ts = int(aware.astimezone(timezone.utc).timestamp() * 1_000_000)
            except (OverflowError, ValueError):
                raise payloads.PayloadError(f"{msg.topic}: time {value.ts} cannot be placed in "
                                            "UTC") from None
        return meter.id, ts, value.value

    def _meter(self, name: str, unit: str, semantics, msg: Message) -> Meter:
        meter = self._meters.get(name)
        if meter is not None:
            return meter
        semantics = Semantics(semantics) if semantics else live_semantics(unit)
        meter = self.ws.add_meter(Meter(name, meter_kind(name, unit), unit, semantics,
                                        site_id=self.site.id, interval_s=10,
                                        source={"protocol": "mqtt", "broker": msg.broker,
                                                "topic": msg.topic}))
        self._meters[name] = meter
        return meter

    def refused(self, msg: Message, error: str) -> None:
        """The store refused this message's readings: counted as bad (it is acknowledged with
        its batch, like every other)."""
        self._bad(msg, f"refused by the store: {error}")

    def _bad(self, msg: Message, error: str, unexpected: bool = False) -> None:
        """Counted per topic with its reason, logged the first time (with the traceback when
        it was not foreseen); the message is acknowledged with the batch, never redelivered."""
        if self.sources[msg.broker].status.count_bad(msg.topic, error):
            log.error("%s: %s (further bad payloads on this topic are counted quietly)",
                      msg.broker, error, exc_info=unexpected)
