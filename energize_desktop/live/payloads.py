"""MQTT payloads to readings: plain numbers, JSON with a path, Tasmota, Shelly Gen1 and Gen2+,
zigbee2mqtt, and Home Assistant discovery. Pure functions: no broker needed to test them.

Each parser returns `Value`s: which channel, the number, its unit and semantics when the format
says, and the reading's own time when the payload carries one (else the receipt time is used).
A payload that cannot be read raises PayloadError naming the topic and what was expected.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from energize_desktop.core.errors import EnergizeError
from energize_desktop.core.instants import EARLIEST, LATEST

MAX_PAYLOAD = 64 * 1024
FORMATS = ("auto", "number", "json", "tasmota", "shelly", "zigbee2mqtt", "homeassistant")


class PayloadError(EnergizeError):
    pass


@dataclass(frozen=True)
class Value:
    channel: str
    value: float
    unit: str | None = None
    semantics: str | None = None
    ts: datetime | None = None  # naive = local time of the site (Tasmota), aware = as given


@dataclass(frozen=True)
class Discovery:
    """A Home Assistant sensor announced on `<prefix>/sensor/.../config`."""

    state_topic: str
    channel: str
    unit: str | None
    semantics: str
    path: str | None  # from value_template '{{ value_json.a.b }}'


def detect(topic: str, payload: bytes, discovery_prefix: str = "homeassistant") -> str:
    if topic.startswith(discovery_prefix + "/") and topic.endswith("/config"):
        return "homeassistant"
    if topic.startswith("tele/") and topic.endswith(("/SENSOR", "/LWT", "/STATE")):
        return "tasmota"
    if topic.startswith("shellies/") or "/status/switch:" in topic or "/status/em" in topic:
        return "shelly"
    if topic.startswith("zigbee2mqtt/"):
        return "zigbee2mqtt"
    text = payload.strip()
    return "json" if text[:1] in (b"{", b"[") else "number"


def parse(topic: str, payload: bytes, fmt: str = "auto", path: str | None = None,
          channel: str | None = None) -> list[Value]:
    if len(payload) > MAX_PAYLOAD:
        raise PayloadError(f"{topic}: payload of {len(payload):,} bytes exceeds "
                           f"{MAX_PAYLOAD:,}; ignored")
    fmt = detect(topic, payload) if fmt == "auto" else fmt
    name = channel or topic
    if fmt == "number":
        return [Value(name, _number(topic, payload.decode("utf-8", "replace").strip()))]
    doc = _json(topic, payload) if fmt != "tasmota" or not topic.endswith("/LWT") else None
    if fmt == "json":
        return _json_values(topic, doc, path, name)
    if fmt == "tasmota":
        return _tasmota(topic, doc)
    if fmt == "shelly":
        return _shelly(topic, payload, doc)
    if fmt == "zigbee2mqtt":
        return _zigbee(topic, doc)
    raise PayloadError(f"{topic}: format {fmt!r} is not one of {', '.join(FORMATS)}")


def _number(topic: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise PayloadError(f"{topic}: expected a number, found {text[:40]!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise PayloadError(f"{topic}: {text!r} is not a finite number")
    return value


def _json(topic: str, payload: bytes):
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"{topic}: expected JSON ({exc.__class__.__name__}: "
                           f"{str(exc)[:60]})") from None
    except RecursionError:
        raise PayloadError(f"{topic}: JSON nested too deeply to be a reading") from None


def lookup(doc, path: str):
    for part in path.split("."):
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return None
    return doc


def _json_values(topic: str, doc, path: str | None, name: str) -> list[Value]:
    if path is None:
        if isinstance(doc, (int, float)) and not isinstance(doc, bool):
            return [Value(name, _finite(topic, doc))]
        raise PayloadError(f"{topic}: JSON payload needs a path to its value (e.g. 'value')")
    found = lookup(doc, path)
    if isinstance(found, bool) or not isinstance(found, (int, float, str)):
        raise PayloadError(f"{topic}: no number at path {path!r}")
    ts = _time(topic, lookup(doc, "time") or lookup(doc, "ts") or lookup(doc, "timestamp"))
    return [Value(name, _number(topic, str(found)), ts=ts)]


def _finite(topic: str, value) -> float:
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise PayloadError(f"{topic}: {value!r} is not a finite number")
    return number


def _time(topic: str, raw) -> datetime | None:
    """The payload's own time: Unix seconds or milliseconds, or ISO 8601 (naive = the site's
    local time). None when there is none or its text is no time (the receipt time is used);
    PayloadError when it is a time we must not store (before 1900, after 2200)."""
    if raw is None:
        return None
    try:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            ts = datetime.fromtimestamp(raw / 1000 if raw > 1e11 else raw, tz=timezone.utc)
        else:
            try:
                ts = datetime.fromisoformat(str(raw)[:64].replace("Z", "+00:00"))
            except ValueError:
                return None
        aware = ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)
        if not EARLIEST <= aware <= LATEST:
            raise ValueError
        return ts
    except (ValueError, OverflowError, OSError):
        raise PayloadError(f"{topic}: time {str(raw)[:40]!r} is not between "
                           f"{EARLIEST.year} and {LATEST.year}") from None


_TASMOTA = {"Total": ("Energy total", "kWh", "cumulative"), "Power": ("Power", "W", None),
            "Voltage": ("Voltage", "V", None), "Current": ("Current", "A", None)}


def _tasmota(topic: str, doc) -> list[Value]:
    device = topic.split("/")[1]
    if topic.endswith("/LWT") or doc is None:
        return []  # Online/Offline: a status, not a reading
    if not isinstance(doc, dict):
        raise PayloadError(f"{topic}: expected a Tasmota SENSOR object")
    ts = _time(topic, doc.get("Time"))  # local time, no offset: placed in the site's zone
    if ts is not None and ts.tzinfo is not None:
        ts = None
    out = []
    energy = doc.get("ENERGY") if isinstance(doc.get("ENERGY"), dict) else {}
    for key, (label, unit, semantics) in _TASMOTA.items():
        if isinstance(energy.get(key), (int, float)):
            out.append(Value(f"{device} {label}", _finite(topic, energy[key]), unit, semantics,
                             ts))
    for sensor, values in doc.items():
        if isinstance(values, dict) and isinstance(values.get("Temperature"), (int, float)):
            unit = "°F" if doc.get("TempUnit") == "F" else "°C"
            out.append(Value(f"{device} {sensor} temperature",
                             _finite(topic, values["Temperature"]), unit, None, ts))
    return out


_SHELLY1 = re.compile(r"^shellies/(?P<id>[^/]+)/(?:relay|emeter)/(?P<ch>\d+)/(?P<what>power|energy)$")


def _shelly(topic: str, payload: bytes, doc) -> list[Value]:
    m = _SHELLY1.match(topic)
    if m:
        value = _number(topic, payload.decode("utf-8", "replace").strip())
        if m["what"] == "energy":  # watt-minutes
            return [Value(f"{m['id']} ch{m['ch']} Energy total", value / 60.0, "Wh",
                          "cumulative")]
        return [Value(f"{m['id']} ch{m['ch']} Power", value, "W")]
    if not isinstance(doc, dict):
        raise PayloadError(f"{topic}: expected a Shelly status object")
    device = topic.split("/")[0]
    channel = topic.rsplit("/", 1)[-1]
    out = []
    if isinstance(doc.get("apower"), (int, float)):
        out.append(Value(f"{device} {channel} Power", _finite(topic, doc["apower"]), "W"))
    total = lookup(doc, "aenergy.total")
    if isinstance(total, (int, float)):
        out.append(Value(f"{device} {channel} Energy total", _finite(topic, total), "Wh",
                         "cumulative"))
    if not out:
        raise PayloadError(f"{topic}: no apower or aenergy.total in the Shelly status")
    return out


_Z2M = {"power": ("Power", "W", None), "energy": ("Energy total", "kWh", "cumulative"),
        "voltage": ("Voltage", "V", None), "current": ("Current", "A", None),
        "temperature": ("Temperature", "°C", None)}


def _zigbee(topic: str, doc) -> list[Value]:
    parts = topic.split("/")
    if len(parts) != 2 or not isinstance(doc, dict):
        return []  # bridge topics, availability, set/get
    out = [Value(f"{parts[1]} {label}", _finite(topic, doc[key]), unit, semantics)
           for key, (label, unit, semantics) in _Z2M.items()
           if isinstance(doc.get(key), (int, float)) and not isinstance(doc.get(key), bool)]
    return out


_TEMPLATE = re.compile(r"\{\{\s*value_json((?:\.[A-Za-z0-9_]+|\[['\"][^'\"]+['\"]\])+)")


def discovery(topic: str, payload: bytes) -> Discovery | None:
    """A sensor's announcement, or None for other components and empty (removal) payloads."""
    if not payload.strip():
        return None
    doc = _json(topic, payload)
    if not isinstance(doc, dict) or "/sensor/" not in topic:
        return None
    state = doc.get("state_topic") or doc.get("stat_t")
    if not state or not isinstance(state, str):
        raise PayloadError(f"{topic}: discovery config without a state_topic string")
    state_class = _text(doc.get("state_class") or doc.get("stat_cla")) or "measurement"
    semantics = {"total_increasing": "cumulative", "total": "cumulative"}.get(state_class,
                                                                             "instantaneous")
    path = None
    template = _text(doc.get("value_template") or doc.get("val_tpl"))
    m = _TEMPLATE.search(template)
    if m:
        path = ".".join(p.strip("[]'\"") for p in re.findall(r"\.[A-Za-z0-9_]+|\[[^\]]+\]",
                                                          m.group(1)))
        path = path.replace("..", ".").lstrip(".")
    name = _text(doc.get("name") or doc.get("unique_id")) or state
    device = _text(doc["device"].get("name")) if isinstance(doc.get("device"), dict) else ""
    if device and device not in name:
        name = f"{device} {name}"
    unit = _text(doc.get("unit_of_measurement") or doc.get("unit_of_meas")) or None
    return Discovery(state, name[:200], unit, semantics, path)


def _text(value) -> str:
    """A config field as text: a number or a stray object becomes its string, never a crash."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)[:200]
