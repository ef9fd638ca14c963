"""`energize demo`: an office building with nine meters (a PV export among them) and a virtual
one (the building's consumption = import + PV − export), an electricity and a gas tariff, dated
carbon factors for both, English bank holidays and 13 months of 15-minute data.

Realism the later analytics must cope with: working hours, weekends, public holidays, seasons,
weather-driven heating and cooling, a counter that rolls over and one that is reset, gaps, and
injected anomalies of different kinds. The injected ones are recorded in the workspace (meta key
`demo_injected`) so detectors can be checked against them, and the energy the building really
used, made, bought and sold per month (`demo_truth`) so every figure can be.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import holidays as holiday_calendars
import numpy as np

from energize_desktop.core.model import Meter, Site
from energize_desktop.core.timezones import US, calendar
from energize_desktop.demo import profiles as p
from energize_desktop.storage import Workspace
from energize_desktop.storage.api import WorkspaceAPI
from energize_desktop.storage.metadata import (
    DEMO_INJECTED,
    DEMO_SEED,
    DEMO_TRUTH,
    DEMO_VERSION,
)

TZ = "Europe/London"
START = np.datetime64("2024-10-01T00:00", "m")  # local time
MONTHS = 13
ROLLOVER_KWH = 100_000.0
VERSION = 2  # 2: the consumption virtual meter, tariff defaults, ground truth
GAS_KWH_PER_M3 = 11.2


@dataclass(frozen=True)
class Injected:
    meter: str
    kind: str
    start: str  # local ISO time
    end: str
    note: str


def build_demo(out: Path, seed: int = 7, progress=None) -> Path:
    """Write the demo workspace to `out` (which must not exist) and return its path."""
    rng = np.random.default_rng(seed)
    utc_us, local = _grid()
    cal = p.Calendar.build(local, _holidays(local))
    series, injected, gaps, truth = _series(cal, rng)
    ws = Workspace.create(out)
    try:
        site = ws.add_site(Site("Riverside Office", timezone=TZ, address="1 Quay Street, Bristol",
                                latitude=51.45, longitude=-2.59, floor_area_m2=4200.0,
                                building_type="office", country="GB", subdivision="ENG"))
        meters = _add_meters(ws, site)
        _write(ws, meters, series, gaps, utc_us, progress)
        _money_terms(ws)
        from energize_desktop.jobs.virtual import add_virtual

        add_virtual(ws, "Building consumption", "Main incomer + Rooftop PV - Grid export")
        DEMO_INJECTED.set(ws, [asdict(i) for i in injected])
        DEMO_TRUTH.set(ws, _truth(local, truth, gaps))
        DEMO_SEED.set(ws, seed)
        DEMO_VERSION.set(ws, VERSION)
    finally:
        ws.close()
    return out


def _grid() -> tuple[np.ndarray, np.ndarray]:
    """A 15-minute grid in UTC (so no instant is skipped or doubled at DST changes) and the
    local wall-clock time of each step, which drives the building's schedule."""
    cal = calendar(TZ)
    end_local = (START.astype("datetime64[M]") + MONTHS).astype("datetime64[m]")
    first, last = (int(cal.day_start_utc(np.array([_day(t)]))[0]) for t in (START, end_local))
    utc_us = np.arange(first, last, p.STEP_MIN * 60 * US, dtype=np.int64)
    local = (utc_us + cal.offsets(utc_us)).astype("datetime64[us]").astype("datetime64[m]")
    return utc_us, local


def _day(t: np.datetime64) -> int:
    return int(t.astype("datetime64[D]").astype(np.int64))


def _holidays(local) -> set:
    years = range(int(str(local[0])[:4]), int(str(local[-1])[:4]) + 1)
    return set(holiday_calendars.country_holidays("GB", subdiv="ENG", years=years))


def _series(cal, rng):
    n = len(cal.hour)
    temp = p.outdoor_temperature(cal, rng)
    occ = p.occupancy(cal)
    hvac = p.hvac_kw(cal, temp, occ, rng)
    lighting = p.lighting_kw(cal, occ, rng)
    plug = p.plug_kw(cal, occ, rng)
    server = p.server_kw(n, rng)
    pv = p.pv_kw(cal, rng)
    gas = p.gas_m3_per_step(cal, temp, occ, rng)
    injected = _inject(cal, hvac, lighting, plug)
    hours = p.STEP_MIN / 60
    other = np.clip(6.0 + rng.normal(0, 0.8, n), 3, None)  # lifts, kitchen, unmetered
    net = hvac + lighting + plug + server + other - pv
    imported = np.clip(net, 0, None) * hours
    exported = np.round(np.clip(-net, 0, None) * hours, 3)  # PV beyond the building's load
    main, counter_events = _main_counter(imported, cal)
    series = {
        "Main incomer": main,
        "HVAC": np.round(hvac * hours, 3),
        "Lighting": np.round(lighting * hours, 3),
        "Plug loads": np.round(plug * hours, 3),
        "Server room": server,
        "Rooftop PV": np.round(pv * hours, 3),
        "Grid export": exported,
        "Gas boiler": gas,
        "Outdoor temperature": temp,
    }
    gaps = {"Main incomer": [(60, 6 * 4)], "Outdoor temperature": [(200, 2 * 96)],
            "Rooftop PV": [(250, 96)], "Gas boiler": [(140, 12 * 4)]}
    truth = {"import": imported, "generation": np.round(pv * hours, 3), "export": exported,
             "consumption": (hvac + lighting + plug + server + other) * hours,
             "gas": gas * GAS_KWH_PER_M3}
    gap_rows = {k: _gap_rows(cal, v) for k, v in gaps.items()}
    planted = [_event(cal, meter, "gap", int(rows[0]), int(rows[-1]) + 1,
                      f"{len(rows) / 4:g} h without readings") for meter, rows in gap_rows.items()]
    return series, injected + counter_events + planted, gap_rows, truth


# which meter measures each line of the ground truth (its gaps are the truth's unknowns)
TRUTH_METERS = {"import": "Main incomer", "generation": "Rooftop PV", "export": "Grid export",
                "gas": "Gas boiler"}


def _truth(local, truth: dict, gaps: dict) -> dict:
    """What the building really did per local month (kWh), as generated before any meter
    read it: import, PV generation, export, consumption (its load) and gas — and which months
    a meter's gap leaves partly unknown. The ledger test's oracle."""
    month = local.astype("datetime64[M]")
    labels = np.unique(month)
    out: dict = {"unit": "kWh", "months": {}, "gaps": {}}
    for m in labels:
        here = month == m
        out["months"][str(m)] = {k: float(v[here].sum()) for k, v in truth.items()}
    for line, meter in TRUTH_METERS.items():
        if meter in gaps:
            out["gaps"][line] = sorted({str(m) for m in month[gaps[meter]]})
    # the import meter is a register: the reading after its gap still counts what it missed
    out["gaps"]["consumption"] = sorted({g for line in ("generation", "export")
                                         for g in out["gaps"].get(line, [])})
    return out


def _inject(cal, hvac, lighting, plug) -> list[Injected]:
    """Anomalies of four kinds, placed at fixed days so every seed has them."""
    def at(day, hour=0.0):
        return int(day * 96 + hour * 4)

    events = []
    i = at(45, 14.25)
    plug[i] *= 5.0
    events.append(_event(cal, "Plug loads", "spike", i, i + 1, "one quarter hour at 5× load"))
    a, b = at(120), at(122)
    lighting[a:b] = lighting[a]
    events.append(_event(cal, "Lighting", "stuck", a, b, "the meter repeats one value"))
    a, b = at(300), at(314)
    night = (cal.hour[a:b] < 6) | (cal.hour[a:b] >= 20) | ~cal.workday[a:b]
    hvac[a:b] += np.where(night, 14.0, 0.0)
    events.append(_event(cal, "HVAC", "after-hours", a, b, "fans left running at night"))
    a = at(335)
    plug[a:] += 3.5
    events.append(_event(cal, "Plug loads", "baseload-step", a, len(plug),
                         "3.5 kW more baseload from this day on"))
    return events


def _main_counter(imported, cal):
    """An import register that wraps at 100 000 kWh once and is reset to zero once."""
    start = ROLLOVER_KWH - 60 * 700.0  # wraps about two months in
    counter = start + np.cumsum(imported)
    reset_at = int(len(counter) * 0.7)
    counter[reset_at:] -= counter[reset_at - 1]  # meter exchanged: a new register from zero
    wrap_at = int(np.argmax(counter >= ROLLOVER_KWH))
    counter[wrap_at:reset_at] -= ROLLOVER_KWH
    events = [_event(cal, "Main incomer", "counter-rollover", wrap_at, wrap_at + 1,
                     f"register wraps at {ROLLOVER_KWH:,.0f} kWh"),
              _event(cal, "Main incomer", "counter-reset", reset_at, reset_at + 1,
                     "meter exchanged; register restarts at 0")]
    return np.round(counter, 2), events


def _event(cal, meter, kind, a, b, note) -> Injected:
    return Injected(meter, kind, str(cal.local[a]), str(cal.local[min(b, len(cal.local) - 1)]),
                    note)


def _gap_rows(cal, spans) -> np.ndarray:
    rows = [np.arange(day * 96 + 40, day * 96 + 40 + length) for day, length in spans]
    return np.concatenate(rows)


def _add_meters(ws: WorkspaceAPI, site) -> dict[str, Meter]:
    def add(name, kind, unit, semantics, **kw):
        return ws.add_meter(Meter(name, kind, unit, semantics, site_id=site.id, **kw))

    main = add("Main incomer", "electricity", "kWh", "cumulative", interval_s=900,
               rollover=ROLLOVER_KWH, source={"protocol": "modbus", "template": "eastron_sdm630"})
    return {
        "Main incomer": main,
        "HVAC": add("HVAC", "electricity", "kWh", "interval", parent_id=main.id),
        "Lighting": add("Lighting", "electricity", "kWh", "interval", parent_id=main.id),
        "Plug loads": add("Plug loads", "electricity", "kWh", "interval",
                          parent_id=main.id),
        "Server room": add("Server room", "electricity", "kW", "instantaneous",
                           parent_id=main.id),
        "Rooftop PV": add("Rooftop PV", "pv", "kWh", "interval"),
        "Grid export": add("Grid export", "electricity", "kWh", "interval", role="export"),
        "Gas boiler": add("Gas boiler", "gas", "m³", "interval",
                      calorific_kwh_per_m3=GAS_KWH_PER_M3),
        "Outdoor temperature": add("Outdoor temperature", "temperature", "°C", "instantaneous"),
    }


# What the demo is priced and counted on, so its Overview shows cost and CO2e out of the box.
TARIFFS = [
    {"name": "Business TOU 2024", "fuel": "electricity", "currency": "GBP",
     "holidays": {"country": "GB", "subdiv": "ENG"},
     "versions": [{"valid_from": "2024-01-01", "fixed_per_day": 1.20, "export_per_kwh": 0.05,
                   "rates": [{"name": "peak", "per_kwh": 0.32, "windows": [
                       {"days": "weekdays", "from": "16:00", "to": "19:00"}]},
                       {"name": "night", "per_kwh": 0.14, "windows": [
                           {"from": "00:00", "to": "07:00"}]},
                       {"name": "day", "per_kwh": 0.24}],
                   "demand": [{"name": "capacity", "per_kw_month": 4.50}]}]},
    {"name": "Gas fixed 2024", "fuel": "gas", "currency": "GBP",
     "versions": [{"valid_from": "2024-01-01", "fixed_per_day": 0.80,
                   "rates": [{"name": "gas", "per_kwh": 0.065}]}]},
]
FACTORS = {  # kg CO2e per kWh, location-based (GHG Protocol scope 2 / scope 1 for gas)
    "electricity": [("2024-01-01", "2025-01-01", 0.20705, "DESNZ 2024, UK electricity"),
                    ("2025-01-01", None, 0.17700, "DESNZ 2025, UK electricity")],
    "gas": [("2024-01-01", None, 0.18290, "DESNZ 2024, natural gas (gross CV)")],
}


def _money_terms(ws: WorkspaceAPI) -> None:
    from energize_desktop.analytics.carbon import parse_factors
    from energize_desktop.storage.energy_terms import CarbonStore, TariffStore
    from energize_desktop.storage.metadata import DEFAULT_TARIFFS

    for t in TARIFFS:
        TariffStore(ws).save(t["name"], t)
    DEFAULT_TARIFFS.set(ws, {t["fuel"]: t["name"] for t in TARIFFS})
    for name, rows in FACTORS.items():
        CarbonStore(ws).save_factors(name, parse_factors(
            [{"valid_from": a, "valid_to": b, "kg_per_kwh": kg, "source": src}
             for a, b, kg, src in rows], f"demo factors {name}"))


def _write(ws: WorkspaceAPI, meters, series, gaps, utc_us, progress) -> None:
    ids, ts, values = [], [], []
    for name, meter in meters.items():
        keep = np.ones(len(utc_us), bool)
        if name in gaps:
            keep[gaps[name]] = False
        ids.append(np.full(int(keep.sum()), meter.id, np.int32))
        ts.append(utc_us[keep])
        values.append(series[name][keep])
    ws.writer().append({"meter_id": np.concatenate(ids), "ts": np.concatenate(ts),
                        "value": np.concatenate(values)})
    ws.writer().flush()
    if progress:
        progress(1.0)
