"""`energize forecast`, `energize shift`, `energize recommend`: looking ahead.

    energize forecast -w W -m M [--hours 24|168] [--temperature-forecast FILE.csv |
                                 --temperature-profile 5,5,4,...] [--out FILE.csv] [--json]
    energize shift -w W -m "EV charger" --window 18:00-07:00 --max-kw 7.4 --period 2025-06
                   [--tariff T] [--save]
    energize recommend -w W [--site S] [--period FROM..TO] [--json]
"""

from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from energize_desktop.cli.common import command, dump, ref
from energize_desktop.core.errors import ValidationError
from energize_desktop.core.periods import period
from energize_desktop.jobs import energy as sup
from energize_desktop.jobs import ledger
from energize_desktop.storage.metadata import FLEXIBLE_METERS


def add_parsers(sub) -> None:
    f = command(sub, "forecast", forecast_cmd, help="next 24 h or 7 days, hourly, with intervals")
    f.add_argument("--meter", "-m", required=True)
    f.add_argument("--hours", type=int, default=24, help="24 (default) or 168, up to 336")
    f.add_argument("--temperature-forecast", type=Path, metavar="CSV",
                   help="timestamp,temperature (°C) for the coming hours")
    f.add_argument("--temperature-profile", metavar="T,T,...",
                   help="one °C value, or 24 hourly values repeated each day")
    f.add_argument("--confidence", type=float, default=0.90)
    f.add_argument("--out", "-o", type=Path, help="CSV timestamp,predicted,lower,upper")
    f.add_argument("--json", action="store_true")

    s = command(sub, "shift", shift_cmd, help="cost-optimal shifting of a flexible load (linear program)")
    s.add_argument("--meter", "-m", required=True)
    s.add_argument("--window", action="append", default=[], metavar="HH:MM-HH:MM",
                   help="when the load may run (repeatable; default: as saved for the meter)")
    s.add_argument("--max-kw", type=float, help="the load's power limit (kW)")
    s.add_argument("--period", required=True)
    s.add_argument("--tariff")
    s.add_argument("--save", action="store_true",
                   help="mark the meter flexible with these windows and limit")
    s.add_argument("--json", action="store_true")

    r = command(sub, "recommend", recommend_cmd, help="findings with estimated savings and their evidence")
    r.add_argument("--site", "-s")
    r.add_argument("--period", help="default: the last 12 months with data")
    r.add_argument("--tariff")
    r.add_argument("--json", action="store_true")


# -- forecast -----------------------------------------------------------------------------------
def forecast_cmd(args) -> int:
    from energize_desktop.analytics.forecast import forecast
    from energize_desktop.core.model import MeterKind
    from energize_desktop.jobs.detection import align_to, meter_series
    from energize_desktop.storage import Workspace

    if not 1 <= args.hours <= 336:
        raise ValidationError(f"--hours {args.hours}: expected 1..336")
    with Workspace.open(args.workspace, read_only=True) as ws:
        meter = ws.meter(ref(args.meter))
        site = ws.site_of(meter)
        history = meter_series(ws, meter, 3600)
        if not len(history):
            raise ValidationError(f"meter {meter.name}: no readings to forecast from")
        temps = None
        if args.temperature_forecast or args.temperature_profile:
            temp_meter = next((m for m in ws.meters(site) if m.kind is MeterKind.TEMPERATURE),
                              None)
            if temp_meter is None:
                raise ValidationError(f"site {site.name}: a temperature forecast needs the "
                                      "site's outdoor temperature history too")
            history = history.with_temperature(align_to(history, meter_series(ws, temp_meter,
                                                                              3600)))
            start = int(history.ts_us[-1]) + 3600 * 10**6
            temps = _temperature_input(args, start, args.hours)
    result = forecast(history, args.hours, args.confidence, temps,
                      production=meter.kind is MeterKind.PV)
    if args.out:
        _write_forecast(args.out, result)
    if args.json:
        print(dump({"meter": meter.name, "method": result.method, "unit": result.unit,
                        "confidence": result.confidence, "metrics": result.metrics,
                        "notes": result.notes, "ts_us": result.ts_us.tolist(),
                        "predicted": result.predicted.tolist(),
                        "lower": result.lower.tolist(), "upper": result.upper.tolist()}))
        return 0
    _print_forecast(meter, site, result)
    return 0


def _temperature_input(args, start_us: int, hours: int) -> np.ndarray:
    if args.temperature_profile:
        try:
            values = [float(x) for x in args.temperature_profile.split(",")]
        except ValueError:
            raise ValidationError(f"--temperature-profile {args.temperature_profile!r}: "
                                  "expected numbers separated by commas") from None
        if len(values) not in (1, 24):
            raise ValidationError("--temperature-profile: one value or 24 hourly values, got "
                                  f"{len(values)}")
        return np.resize(np.array(values), hours)
    from energize_desktop.imports.hourly_csv import read_hourly_csv

    ts, temp = read_hourly_csv(args.temperature_forecast)
    want = start_us + np.arange(hours, dtype=np.int64) * 3600 * 10**6
    out = np.full(hours, np.nan)
    idx = np.searchsorted(ts, want)
    ok = (idx < len(ts)) & (ts[np.minimum(idx, len(ts) - 1)] == want)
    out[ok] = temp[idx[ok]]
    return out


def _write_forecast(path: Path, r) -> None:
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "predicted", "lower", "upper"])
        for t, p, lo, hi in zip(r.ts_us.tolist(), r.predicted, r.lower, r.upper):
            stamp = datetime.fromtimestamp(t / 1e6, timezone.utc).isoformat()
            w.writerow([stamp, *("" if v != v else f"{v:.4f}" for v in (p, lo, hi))])
    tmp.replace(path)


def _print_forecast(meter, site, r) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(site.timezone)
    print(f"{meter.name}: next {len(r.ts_us)} h ({r.unit} per hour), {r.method}; "
          f"{r.confidence:.0%} interval")
    if r.metrics:
        print(f"  model fit: CV(RMSE) {r.metrics['cv_rmse_pct']:.1f} %, NMBE "
              f"{r.metrics['nmbe_pct']:+.2f} %, R² {r.metrics['r2']:.2f}")
    for note in r.notes:
        print(f"  note: {note}")
    for t, p, lo, hi in zip(r.ts_us.tolist(), r.predicted, r.lower, r.upper):
        local = datetime.fromtimestamp(t / 1e6, zone).strftime("%a %d %b %H:%M")
        print(f"  {local}  {p:9.2f}  [{lo:9.2f} … {hi:9.2f}]")
    print(f"  total {np.nansum(r.predicted):,.1f} {r.unit}")


# -- shift --------------------------------------------------------------------------------------
def shift_cmd(args) -> int:

    from energize_desktop.analytics.load_shift import optimise
    from energize_desktop.core.model import MeterKind
    from energize_desktop.storage import Workspace

    with Workspace.open(args.workspace, read_only=not args.save) as ws:
        meter = ws.meter(ref(args.meter))
        site = ws.site_of(meter)
        saved = FLEXIBLE_METERS.get(ws).get(str(meter.id), {})
        windows = [_window(w) for w in args.window] or [tuple(w) for w in
                                                        saved.get("windows", [])]
        max_kw = args.max_kw or saved.get("max_kw")
        if not windows or not max_kw:
            raise ValidationError(f"meter {meter.name}: give --window HH:MM-HH:MM and --max-kw "
                                  "(or --save them once)")
        start, end = period(args.period, site.timezone)
        flex = sup.meter_energy(ws, meter, start, end)
        rest = sup.site_energy(ws, site, start, end, kinds=(MeterKind.ELECTRICITY,))
        rest_kwh = _rest_on(flex, rest, meter)
        result = optimise(flex.ts_us, flex.kwh, rest_kwh, flex.step_s, site.timezone,
                          ledger.tariff(ws, args.tariff), windows, max_kw)
        if args.save:
            marks = FLEXIBLE_METERS.get(ws)
            marks[str(meter.id)] = {"windows": windows, "max_kw": max_kw}
            FLEXIBLE_METERS.set(ws, marks)
    out = {"meter": meter.name, "period": args.period, "windows": result.windows,
           "kwh_moved": result.kwh_moved, "cost_before": result.cost_before,
           "cost_after": result.cost_after, "saving": result.saving,
           "currency": result.currency, "notes": result.notes}
    if args.json:
        print(dump(out))
        return 0
    c = result.currency
    print(f"{meter.name}, {args.period}: {result.windows} windows, {result.kwh_moved:,.1f} kWh "
          f"moved; cost {c} {result.cost_before:,.2f} → {c} {result.cost_after:,.2f} "
          f"(saves {c} {result.saving:,.2f}, {result.saving / result.cost_before:.0%})"
          if result.cost_before else f"{meter.name}: nothing to shift in {args.period}")
    for n in result.notes:
        print(f"  note: {n}")
    return 0


def _window(text: str) -> tuple[int, int]:
    try:
        a, b = text.split("-")
        return tuple(int(x.split(":")[0]) * 60 + int(x.split(":")[1]) for x in (a, b))
    except (ValueError, IndexError):
        raise ValidationError(f"--window {text!r}: expected HH:MM-HH:MM such as 18:00-07:00") \
            from None


def _rest_on(flex: sup.Energy, site_total: sup.Energy, meter) -> np.ndarray:
    """The rest of the site on the flexible load's grid (the site minus the load if it is a
    sub-meter; the site as it is otherwise)."""
    if site_total.step_s != flex.step_s:
        return np.full(len(flex.ts_us), np.nan)
    total = sup.align(site_total, flex)
    return total - np.nan_to_num(flex.kwh) if meter.parent_id is not None or \
        meter in site_total.meters else total


# -- recommend ----------------------------------------------------------------------------------
def recommend_cmd(args) -> int:
    from energize_desktop.analytics.recommendations import recommend
    from energize_desktop.jobs.evidence import gather
    from energize_desktop.storage import Workspace

    with Workspace.open(args.workspace, read_only=True) as ws:
        evidence, label = gather(ws, args.site, args.period, args.tariff)
    findings = [f.to_dict() for f in recommend(evidence)]
    if args.json:
        print(dump({"subject": label, "findings": findings}))
        return 0
    print(f"{label}: {len(findings)} findings (annual estimates)")
    for i, f in enumerate(findings, 1):
        money = f", {evidence.currency} {f['money_per_year']:,.0f}/yr" if f["money_per_year"] \
            else ""
        print(f"{i}. {f['title']}: {f['kwh_per_year']:,.0f} kWh/yr{money}, "
              f"{f['kg_co2e_per_year'] / 1000:,.1f} t CO2e/yr")
        for e in f["evidence"]:
            print(f"   evidence: {e}")
        print(f"   assumes: {f['assumption']}; chart: {f['chart']['view']} of "
              f"{f['chart']['meter']}")
    return 0
