"""Green Button (NAESB ESPI) XML: UsagePoint → MeterReading → ReadingType + IntervalBlocks.

Link URLs are opaque, so entries are matched by string equality of their self/up/related links
(and, for feeds that link children directly, by path prefix). Values are value × 10^
powerOfTenMultiplier in the ReadingType's uom; `cost` (in 1/100,000 of the currency) becomes a
companion cost channel; ReadingQuality codes map to our quality flags. Times are UTC seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
import polars as pl
from defusedxml import ElementTree

from energize_desktop.core.instants import EARLIEST_US, LATEST_US
from energize_desktop.core.model import MeterKind, Semantics
from energize_desktop.core.quality import Quality
from energize_desktop.imports.channels import ChannelSpec
from energize_desktop.imports.csv_format import ImportFormatError

# uom code -> (our unit, factor to it)
UOM = {72: ("kWh", 1e-3), 38: ("kW", 1e-3), 73: ("kvarh", 1e-3), 169: ("therm", 1.0),
       42: ("m³", 1.0), 119: ("ft³", 1.0), 132: ("BTU", 1.0)}
SERVICE_KIND = {0: MeterKind.ELECTRICITY, 1: MeterKind.GAS, 2: MeterKind.WATER,
                3: MeterKind.HEAT, 4: MeterKind.HEAT}
CURRENCY = {840: "USD", 978: "EUR", 826: "GBP", 36: "AUD", 124: "CAD", 554: "NZD", 756: "CHF",
            392: "JPY"}
# ESPI ReadingQuality codes beyond ours: validated/verified/revenue-quality/raw read as valid,
# projected as estimated, the rest as questionable.
QUALITY = {**{int(q): int(q) for q in Quality}, 14: 0, 17: 0, 18: 0, 19: 0, 12: int(Quality.ESTIMATED)}
# Standard offsets (s) of North American zones, to honour LocalTimeParameters on a new site.
ZONES = {(-18000, True): "America/New_York", (-21600, True): "America/Chicago",
         (-25200, True): "America/Denver", (-25200, False): "America/Phoenix",
         (-28800, True): "America/Los_Angeles", (-32400, True): "America/Anchorage",
         (-36000, False): "Pacific/Honolulu", (-12600, True): "America/St_Johns",
         (-14400, True): "America/Halifax"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].split(":")[-1]


def _child(el, name):
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _text(el, name, default=None):
    c = _child(el, name) if el is not None else None
    return c.text.strip() if c is not None and c.text and c.text.strip() else default


@dataclass
class _Entry:
    kind: str
    node: object
    title: str
    self_href: str
    up: str
    related: list[str] = field(default_factory=list)


BILLING_PERIOD_S = 20 * 86_400  # readings this long are billing periods, not intervals


class GreenButtonSource:
    label = "Green Button (ESPI) XML"

    def __init__(self, path: Path):
        self.path = Path(path)
        self.notes: list[str] = []
        self.dst_notes: list[str] = []
        self.channels: dict[str, ChannelSpec] = {}
        self.zone_hint: str | None = None
        self.billing: dict[str, dict] = {}  # readings of a month or longer: billing periods
        # (usage point, reading title, unit, flow, semantics) → the meter it is: one usage point
        # and one commodity is one meter, however many MeterReadings publish it
        self._series: dict[tuple, str] = {}
        self._frame = self._parse()

    def frames(self):
        yield self._frame, 1.0

    # -- parsing --------------------------------------------------------------------------------
    def _parse(self) -> pl.DataFrame:
        try:
            root = ElementTree.parse(self.path).getroot()
        except ElementTree.ParseError as exc:
            line, col = getattr(exc, "position", (0, 0))
            raise ImportFormatError(f"{self.path}: line {line}, column {col}: not well-formed "
                                    f"XML ({exc})") from None
        except Exception as exc:  # defusedxml refuses entities and DTDs
            raise ImportFormatError(f"{self.path}: refused ({exc.__class__.__name__}: {exc})") \
                from None
        entries = self._entries(root)
        by_kind: dict[str, list[_Entry]] = {}
        for e in entries:
            by_kind.setdefault(e.kind, []).append(e)
        self._local_time(by_kind.get("LocalTimeParameters", []))
        summaries = self._usage_summaries(by_kind)
        readings = by_kind.get("MeterReading", [])
        blocks = by_kind.get("IntervalBlock", [])
        if not blocks:
            raise ImportFormatError(f"{self.path}: no IntervalBlock in this Green Button file")
        if not readings:  # a bare feed of blocks: one reading of one usage point
            readings = [_Entry("MeterReading", None, "", "", "")]
        found = [self._meter_reading(mr, by_kind, blocks, len(readings)) for mr in readings]
        parts = [p for p in found if p is not None]
        if not parts:
            raise ImportFormatError(f"{self.path}: no IntervalReading values found")
        if summaries:  # the utility's own bills: each UsageSummary is one, nothing else is
            self.billing = summaries
        frame = pl.concat(parts)
        # the same reading published twice (two ReadingTypes, two MeterReadings) is one
        unique = frame.unique(subset=["meter", "ts", "value"], keep="first", maintain_order=True)
        if unique.height < frame.height:
            self.notes.append(f"{frame.height - unique.height} reading(s) published twice "
                              "under another MeterReading of the same usage point: kept once")
        return unique

    def _entries(self, root) -> list[_Entry]:
        out = []
        entries = [e for e in root.iter() if _local(e.tag) == "entry"]
        if not entries:  # a single resource, not a feed
            return [_Entry(_local(root.tag), root, "", "", "")]
        for entry in entries:
            content = _child(entry, "content")
            if content is None or not len(content):
                continue
            links = [(ln.get("rel"), ln.get("href", "")) for ln in entry
                     if _local(ln.tag) == "link"]
            for node in content:
                out.append(_Entry(_local(node.tag), node, _text(entry, "title", "") or "",
                                  next((h for r, h in links if r == "self"), ""),
                                  next((h for r, h in links if r == "up"), ""),
                                  [h for r, h in links if r == "related"]))
        return out

    def _local_time(self, params: list[_Entry]) -> None:
        if not params:
            return
        tz = self._int(params[0].node, "tzOffset", "0", "LocalTimeParameters")
        dst = self._int(params[0].node, "dstOffset", "0", "LocalTimeParameters")
        if abs(tz) > 16 * 3600 or abs(dst) > 3 * 3600:
            raise ImportFormatError(f"{self.path}: LocalTimeParameters tzOffset {tz} s / "
                                    f"dstOffset {dst} s: not an offset of a time zone")
        self.zone_hint = ZONES.get((tz, dst != 0))
        self.notes.append(f"LocalTimeParameters: UTC{tz / 3600:+g} h, daylight saving "
                          f"{dst / 3600:+g} h" + (f" ({self.zone_hint} for a new site)"
                                                  if self.zone_hint else ""))

    def _meter_reading(self, mr: _Entry, by_kind, blocks, n_readings) -> pl.DataFrame | None:
        mine = [b for b in blocks if n_readings == 1 or _belongs(b, mr)]
        picked = _pick(by_kind.get("ReadingType", []), mr.related)
        rtype = picked.node if picked else None
        point = _parent(by_kind.get("UsagePoint", []), mr)
        rows = [r for b in mine for r in b.node if _local(r.tag) == "IntervalReading"]
        if not rows:
            return None
        uom = self._int(rtype, "uom", "72", "ReadingType")
        power = self._int(rtype, "powerOfTenMultiplier", "0", "ReadingType")
        if not -30 <= power <= 30:
            raise ImportFormatError(f"{self.path}: ReadingType powerOfTenMultiplier {power}: "
                                    "expected -30 to 30")
        unit, factor = UOM.get(uom, (None, 1.0))
        if unit is None:
            raise ImportFormatError(f"{self.path}: ReadingType uom {uom} is not supported; "
                                    f"expected one of {sorted(UOM)}")
        service = self._int(_child(point.node, "ServiceCategory") if point and point.node is not
                            None else None, "kind", "0", "ServiceCategory")
        flow = self._int(rtype, "flowDirection", "1", "ReadingType")
        name = self._name(point, mr, flow, unit)
        try:
            start, dur, value, cost, quality = _readings(rows)
        except ValueError as exc:
            raise ImportFormatError(f"{self.path}: MeterReading {name!r}: {exc}") from None
        value = value * factor * 10.0 ** power
        interval = int(np.median(dur)) if len(dur) else \
            self._int(rtype, "intervalLength", "3600", "ReadingType")
        cumulative = _text(rtype, "accumulationBehaviour") == "1"
        semantics = (Semantics.INSTANTANEOUS if unit == "kW" else
                     Semantics.CUMULATIVE if cumulative else Semantics.INTERVAL)
        kind = SERVICE_KIND.get(service, MeterKind.OTHER)
        src = {"green_button": point.self_href if point else "", "flow_direction": flow}
        key = (point.self_href if point else "", _plain_title(name), unit, flow, semantics)
        if key in self._series:  # another MeterReading of the same series: one meter
            name = self._series[key]
            self.notes.append(f"{name}: a further MeterReading of the same usage point and "
                              "commodity, merged into it")
        else:
            self._series[key] = name
            self.channels[name] = ChannelSpec(name, unit, kind, semantics, interval, src)
            if flow == 4:  # net = delivered − received: the ledger derives it, never adds it
                self.channels[name].role = "other"
        frame = _frame(name, start, value, quality)
        if interval >= BILLING_PERIOD_S:
            currency = CURRENCY.get(self._int(rtype, "currency", "840", "ReadingType"), "USD")
            bill = {"unit": unit, "currency": currency, "start_s": start, "duration_s": dur,
                    "amount": value, "cost": cost / 100_000}
            kept = self.billing.get(name)
            self.billing[name] = bill if kept is None else {
                **kept, **{k: np.concatenate([kept[k], bill[k]])
                           for k in ("start_s", "duration_s", "amount", "cost")}}
        self.notes.append(f"{name}: {len(rows)} interval readings, uom {uom} × 10^{power}")
        if np.isfinite(cost).any():
            currency = CURRENCY.get(self._int(rtype, "currency", "840", "ReadingType"), "USD")
            cname = f"{name} cost"
            self.channels.setdefault(cname, ChannelSpec(cname, currency, MeterKind.COST,
                                                        Semantics.INTERVAL, interval,
                                                        {"cost_of": name}))
            frame = pl.concat([frame, _frame(cname, start, cost / 100_000, quality)])
        return frame

    def _usage_summaries(self, by_kind) -> dict[str, dict]:
        """Every UsageSummary as a bill: its billingPeriod, overallConsumptionLastPeriod (value ×
        10^powerOfTenMultiplier in its uom) and billLastPeriod (1/100,000 of the currency, as
        ESPI says, unless the feed's own cost details state the amount with another
        multiplier), kept per usage point."""
        bills: dict[str, dict] = {}
        skipped = 0
        for i, entry in enumerate(by_kind.get("UsageSummary", []), start=1):
            bill = self._summary(entry.node, i)
            if bill is None:
                skipped += 1
                continue
            point = _parent(by_kind.get("UsagePoint", []), entry)
            name = f"{(point.title if point and point.title else self.path.stem).strip()} bills"
            kept = bills.setdefault(name, {"unit": bill["unit"], "currency": bill["currency"],
                                           **{k: [] for k in SUMMARY_FIELDS}})
            if kept["unit"] != bill["unit"]:
                raise ImportFormatError(f"{self.path}: UsageSummary {i}: consumption in "
                                        f"{bill['unit']}, the others of {name!r} in "
                                        f"{kept['unit']}: expected one unit")
            for k in SUMMARY_FIELDS:
                kept[k].append(bill[k])
        for b in bills.values():
            for k in SUMMARY_FIELDS:
                b[k] = np.array(b[k], np.int64 if k.endswith("_s") else float)
        total = sum(len(b["start_s"]) for b in bills.values())
        if total or skipped:
            self.notes.append(f"{total} UsageSummary bill(s)" + (
                f"; {skipped} without a billing period or consumption left out" if skipped
                else ""))
        return bills

    def _summary(self, node, i: int) -> dict | None:
        where = f"UsageSummary {i}"
        period = _child(node, "billingPeriod")
        used = _child(node, "overallConsumptionLastPeriod")
        if period is None or used is None or _text(used, "value") is None:
            return None
        try:
            start = _seconds(_text(period, "start", "0"), "billingPeriod start", EARLIEST_S,
                             LATEST_S)
            duration = _seconds(_text(period, "duration", "0"), "billingPeriod duration", 1,
                                400 * 86400)
            value = float(cast(str, _text(used, "value")))
        except ValueError as exc:
            raise ImportFormatError(f"{self.path}: {where}: {exc}") from None
        uom = self._int(used, "uom", "72", where)
        unit, factor = UOM.get(uom, (None, 1.0))
        if unit is None:
            raise ImportFormatError(f"{self.path}: {where} overallConsumptionLastPeriod uom "
                                    f"{uom} is not supported; expected one of {sorted(UOM)}")
        power = self._int(used, "powerOfTenMultiplier", "0", where)
        bill = _text(node, "billLastPeriod")
        cost = np.nan if bill is None else float(bill) / 10.0 ** -_bill_power(node, bill)
        return {"unit": unit, "start_s": start, "duration_s": duration,
                "amount": value * factor * 10.0 ** power, "cost": cost,
                "currency": CURRENCY.get(self._int(node, "currency", "840", where), "USD")}

    def _int(self, node, name: str, default: str, where: str) -> int:
        text = _text(node, name, default)
        try:
            return int(text)
        except (TypeError, ValueError):
            raise ImportFormatError(f"{self.path}: {where} {name} {text!r}: expected a whole "
                                    "number") from None

    def _name(self, point: _Entry | None, mr: _Entry, flow: int, unit: str) -> str:
        base = (point.title if point and point.title else self.path.stem).strip()
        if mr.title and mr.title not in base:
            base = f"{base} – {mr.title}"
        if flow == 19:
            base += " (export)"
        elif flow == 4:
            base += " (net)"
        return base if base not in self.channels else f"{base} [{unit}]"


def _plain_title(name: str) -> str:
    """A channel name without the unit a name clash appended ('X [kWh]' is X)."""
    return name.rsplit(" [", 1)[0] if name.endswith("]") else name


SUMMARY_FIELDS = ("start_s", "duration_s", "amount", "cost")


def _bill_power(node, bill: str) -> int:
    """ESPI gives billLastPeriod in 1/100,000 of the currency; a feed whose cost details give
    the same amount with a powerOfTenMultiplier says its own scale (Enbridge: 10^-3)."""
    for detail in node:
        if _local(detail.tag) != "costAdditionalDetailLastPeriod":
            continue
        measurement = _child(detail, "measurement")
        power = _text(measurement, "powerOfTenMultiplier")
        if _text(detail, "amount") == bill and _text(measurement, "uom") == "80" and power:
            try:
                return int(power)
            except ValueError:
                continue
    return -5


def _belongs(child: _Entry, parent: _Entry) -> bool:
    if not parent.self_href:
        return True
    return bool(child.up in parent.related or child.self_href in parent.related
            or child.self_href.startswith(parent.self_href + "/")
            or (child.up and child.up.startswith(parent.self_href + "/")))


def _pick(candidates: list[_Entry], related: list[str]) -> _Entry | None:
    for c in candidates:
        if c.self_href in related:
            return c
    return candidates[0] if candidates else None


def _parent(points: list[_Entry], mr: _Entry) -> _Entry | None:
    for p in points:
        if mr.self_href and (_belongs(mr, p)):
            return p
    return points[0] if points else None


def _readings(rows) -> tuple[np.ndarray, ...]:
    n = len(rows)
    start, dur = np.zeros(n, np.int64), np.zeros(n, np.int64)
    value, cost = np.full(n, np.nan), np.full(n, np.nan)
    quality = np.zeros(n, np.uint8)
    for i, r in enumerate(rows):
        try:
            period = _child(r, "timePeriod")
            start[i] = _seconds(_text(period, "start", "0"), "timePeriod start", EARLIEST_S,
                                LATEST_S, zero=True)
            dur[i] = _seconds(_text(period, "duration", "0"), "timePeriod duration", 0,
                              366 * 86400 * 10)
            v = _text(r, "value")
            value[i] = float(v) if v is not None else np.nan
            c = _text(r, "cost")
            cost[i] = float(c) if c is not None else np.nan
            q = _text(_child(r, "ReadingQuality"), "quality")
            quality[i] = QUALITY.get(int(q), int(Quality.QUESTIONABLE)) if q else 0
        except (ValueError, OverflowError) as exc:
            raise ValueError(f"IntervalReading {i + 1}: expected numbers in timePeriod/start, "
                             f"duration, value, cost and quality ({exc})") from None
    _fill_contiguous(start, dur)
    return start, dur, value, cost, quality


EARLIEST_S, LATEST_S = EARLIEST_US // 1_000_000, LATEST_US // 1_000_000


def _seconds(text, what: str, low: int, high: int, zero: bool = False) -> int:
    """Whole seconds within [low, high] (0 allowed where a missing start means "follows the one
    before"); a time before 1900, after 2200 or not finite is refused by name."""
    value = float(text)
    if value != value or not (low <= value <= high or zero and value == 0):
        raise ValueError(f"{what} {text!r} is not between {low} and {high}")
    return round(value)


def _fill_contiguous(start: np.ndarray, dur: np.ndarray) -> None:
    """Readings without a timePeriod follow each other at the block's interval length."""
    for i in range(1, len(start)):
        if start[i] == 0 and start[i - 1]:
            start[i] = start[i - 1] + (dur[i - 1] or 3600)


def _frame(name: str, start_s: np.ndarray, value: np.ndarray, quality: np.ndarray):
    return pl.DataFrame({"line": np.zeros(len(start_s), np.int64),
                         "meter": [name] * len(start_s),
                         "ts": start_s * 1_000_000, "value": value,
                         "quality": quality})
