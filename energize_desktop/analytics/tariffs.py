"""Tariffs as plain data: versions with validity dates, time-of-use rates by weekday, season and
public holiday, demand charges, a fixed daily charge and an export rate.

A tariff is written as JSON (see README "Tariffs"); every field error names its path, e.g.
`tariff "Business TOU": versions[0].rates[1].windows[0].from: expected HH:MM, got '25:00'`.
Rates are matched in order: the first rate whose window covers a step prices it, a rate with no
windows matches everything (put it last as the default band).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np

from energize_desktop.analytics.local_time import LocalTimes, day_number
from energize_desktop.core.errors import ValidationError
from energize_desktop.core.model import FUELS

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_SETS = {"all": set(range(7)), "weekdays": set(range(5)), "mon-fri": set(range(5)),
            "weekends": {5, 6}, "sat-sun": {5, 6}}
HOLIDAY = 7  # the day type of a public holiday: matched by "holidays" in a window's days


@dataclass(frozen=True)
class Window:
    days: frozenset[int]  # 0..6 = Monday..Sunday, 7 = public holiday
    start_min: int
    end_min: int  # exclusive; an end before the start wraps past midnight
    months: frozenset[int]

    def covers(self, t: LocalTimes, day_type: np.ndarray) -> np.ndarray:
        if self.start_min < self.end_min:
            in_time = (t.minute >= self.start_min) & (t.minute < self.end_min)
        else:
            in_time = (t.minute >= self.start_min) | (t.minute < self.end_min)
        return in_time & np.isin(day_type, list(self.days)) & np.isin(t.month, list(self.months))


@dataclass(frozen=True)
class Rate:
    name: str
    per_kwh: float
    windows: tuple[Window, ...]  # empty = every step


@dataclass(frozen=True)
class DemandCharge:
    name: str
    per_kw_month: float  # on the month's highest rolling-window demand inside the windows
    windows: tuple[Window, ...]
    window_min: int = 15


@dataclass(frozen=True)
class TariffVersion:
    valid_from: date
    valid_to: date | None  # exclusive; None = open
    fixed_per_day: float
    export_per_kwh: float
    rates: tuple[Rate, ...]
    demand: tuple[DemandCharge, ...]


@dataclass(frozen=True, eq=False)
class PriceSeries:
    """A dynamic energy price (day-ahead, Agile…): one price per interval from each start."""

    ts_us: np.ndarray  # interval starts, UTC µs, sorted, regular
    per_kwh: np.ndarray
    step_s: int

    def at(self, ts_us: np.ndarray, step_s: int) -> np.ndarray:
        """The price of each step starting at `ts_us` (the mean of the intervals it spans
        when a step is longer than an interval); NaN outside the series."""
        per = max(1, step_s // self.step_s)
        out = np.zeros(len(ts_us))
        for k in range(per):
            t = ts_us + k * self.step_s * 1_000_000
            idx = np.searchsorted(self.ts_us, t, side="right") - 1
            ok = (idx >= 0) & (t < self.ts_us[-1] + self.step_s * 1_000_000)
            out += np.where(ok, self.per_kwh[np.clip(idx, 0, None)], np.nan)
        return out / per

    @property
    def first_us(self) -> int:
        return int(self.ts_us[0])

    @property
    def end_us(self) -> int:
        return int(self.ts_us[-1]) + self.step_s * 1_000_000


@dataclass(frozen=True)
class Tariff:
    name: str
    currency: str
    versions: tuple[TariffVersion, ...]
    holidays: frozenset[int]  # local day numbers that are public holidays
    holiday_country: str = ""
    definition: dict | None = None  # the JSON it came from, kept to store it back unchanged
    fuel: str = "electricity"  # the fuel whose meters it prices (and no other)
    fuel_given: bool = True  # False: an older file without "fuel", read as electricity
    prices: PriceSeries | None = None  # a dynamic price; its rates price the steps it lacks

    def version_index(self, days: np.ndarray, as_if: bool = False) -> np.ndarray:
        """Index of the version in force on each local day, -1 where none is."""
        if as_if:  # "what would it have cost on this tariff": its latest terms throughout
            return np.full(len(days), len(self.versions) - 1)
        out = np.full(len(days), -1)
        for i, v in enumerate(self.versions):
            lo = day_number(v.valid_from)
            hi = day_number(v.valid_to) if v.valid_to else np.iinfo(np.int64).max
            out[(days >= lo) & (days < hi)] = i
        return out

    def day_type(self, t: LocalTimes) -> np.ndarray:
        return np.where(np.isin(t.day, list(self.holidays)), HOLIDAY, t.weekday)


def parse_tariff(d: dict, where: str = "tariff") -> Tariff:
    p = _Path(f"{where} {d.get('name', '')!r}" if isinstance(d, dict) else where)
    if not isinstance(d, dict):
        raise p.error("expected a JSON object")
    name = p.text(d, "name")
    currency = d.get("currency", "GBP")
    versions_raw = d.get("versions", [d])
    if not isinstance(versions_raw, list) or not versions_raw:
        raise p.error("versions: expected a non-empty list")
    versions = tuple(_version(v, p.at(f"versions[{i}]")) for i, v in enumerate(versions_raw))
    versions = tuple(sorted(versions, key=lambda v: v.valid_from))
    for a, b in zip(versions, versions[1:]):
        if a.valid_to is None or a.valid_to > b.valid_from:
            raise p.error(f"versions: the version from {a.valid_from} overlaps the one from "
                          f"{b.valid_from}; give it a valid_to on or before {b.valid_from}")
    holidays, country = _holidays(d.get("holidays"), versions, p.at("holidays"))
    fuel = d.get("fuel", "electricity")
    if fuel not in FUELS:
        raise p.error(f"fuel: {fuel!r} is not one of {', '.join(FUELS)}")
    return Tariff(name, str(currency), versions, holidays, country, d, fuel, "fuel" in d)


def _version(v: dict, p: "_Path") -> TariffVersion:
    if not isinstance(v, dict):
        raise p.error("expected a JSON object")
    rates = v.get("rates")
    if "per_kwh" in v and rates is None:  # a flat tariff written in one line
        rates = [{"name": "all day", "per_kwh": v["per_kwh"]}]
    if not isinstance(rates, list) or not rates:
        raise p.error("rates: expected a non-empty list (or per_kwh for a flat tariff)")
    parsed = tuple(_rate(r, p.at(f"rates[{i}]")) for i, r in enumerate(rates))
    demand = tuple(_demand(x, p.at(f"demand[{i}]")) for i, x in enumerate(v.get("demand", [])))
    valid_from = p.date(v, "valid_from", date(1970, 1, 1))
    valid_to = p.date(v, "valid_to", None)
    if valid_to and valid_to <= valid_from:
        raise p.error("valid_to: must be after valid_from")
    return TariffVersion(valid_from, valid_to, p.number(v, "fixed_per_day", 0.0),
                         p.number(v, "export_per_kwh", 0.0), parsed, demand)


def _rate(r: dict, p: "_Path") -> Rate:
    windows = tuple(_window(w, p.at(f"windows[{i}]")) for i, w in enumerate(r.get("windows", [])))
    return Rate(p.text(r, "name"), p.number(r, "per_kwh"), windows)


def _demand(x: dict, p: "_Path") -> DemandCharge:
    windows = tuple(_window(w, p.at(f"windows[{i}]")) for i, w in enumerate(x.get("windows", [])))
    minutes = int(p.number(x, "window_min", 15))
    if minutes <= 0 or 1440 % minutes:
        raise p.error(f"window_min: expected minutes that divide a day, got {minutes}")
    return DemandCharge(x.get("name", "demand"), p.number(x, "per_kw_month"), windows, minutes)


def _window(w: dict, p: "_Path") -> Window:
    days_text = str(w.get("days", "all")).lower().replace(" ", "")
    days: set[int] = set()
    for part in days_text.split(","):
        if part in DAY_SETS:
            days |= DAY_SETS[part]
        elif part in ("holiday", "holidays"):
            days.add(HOLIDAY)
        elif part in DAYS:
            days.add(DAYS.index(part))
        else:
            raise p.error(f"days: {part!r} is not one of {', '.join(DAYS)}, weekdays, weekends, "
                          "all, holidays")
    start, end = p.clock(w, "from", 0), p.clock(w, "to", 1440)
    months = w.get("months", "all")
    month_set = set(range(1, 13)) if months == "all" else set(months) if isinstance(
        months, list) else None
    if not month_set or not month_set <= set(range(1, 13)):
        raise p.error(f"months: expected \"all\" or a list of 1..12, got {months!r}")
    return Window(frozenset(days), start, end % 1440 if end != 1440 else 1440, frozenset(month_set))


def _holidays(spec, versions, p: "_Path") -> tuple[frozenset[int], str]:
    if spec is None:
        return frozenset(), ""
    if isinstance(spec, list):
        try:
            return frozenset(day_number(date.fromisoformat(str(s))) for s in spec), ""
        except ValueError as exc:
            raise p.error(f"expected ISO dates ({exc})") from None
    if isinstance(spec, dict) and "country" in spec:
        import holidays as holiday_calendars

        first = versions[0].valid_from.year if versions[0].valid_from.year > 1970 else 2000
        last = max([date.today().year + 2, *(v.valid_to.year for v in versions if v.valid_to)])
        try:
            cal = holiday_calendars.country_holidays(spec["country"], subdiv=spec.get("subdiv"),
                                                     years=range(first, last + 1))
        except NotImplementedError as exc:
            raise p.error(f"country/subdiv: {exc}") from None
        return frozenset(day_number(d) for d in cal), f"{spec['country']} {spec.get('subdiv', '')}"
    raise p.error("expected a list of dates or {\"country\": \"GB\", \"subdiv\": \"ENG\"}")


class _Path:
    """A field path for error messages."""

    def __init__(self, text: str):
        self.text_ = text

    def at(self, part: str) -> "_Path":
        return _Path(f"{self.text_}: {part}" if ": " not in self.text_
                     else f"{self.text_}.{part}")

    def error(self, message: str) -> ValidationError:
        return ValidationError(f"{self.text_}: {message}")

    def text(self, d: dict, key: str) -> str:
        value = d.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.at(key).error("expected a non-empty name")
        return value

    def number(self, d: dict, key: str, default: float | None = None) -> float:
        value = d.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise self.at(key).error(f"expected a number, got {value!r}")
        return float(value)

    def date(self, d: dict, key: str, default):
        value = d.get(key)
        if value is None:
            return default
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.at(key).error(f"expected a date YYYY-MM-DD, got {value!r}") from None

    def clock(self, d: dict, key: str, default: int) -> int:
        value = d.get(key)
        if value is None:
            return default
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value).strip())
        minutes = int(match[1]) * 60 + int(match[2]) if match and int(match[2]) < 60 else -1
        if not 0 <= minutes <= 1440:
            raise self.at(key).error(f"expected HH:MM (00:00..24:00), got {value!r}")
        return minutes
