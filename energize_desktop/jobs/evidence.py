"""Gathering the evidence the recommendation rules read, for one site and period: its
electricity, the tariffs and carbon factors kept, the temperature models of its fuels, and the
quality of its data."""

from __future__ import annotations

import numpy as np

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.instants import local_date
from energize_desktop.core.model import MeterKind, ref
from energize_desktop.core.periods import period
from energize_desktop.jobs import energy as sup
from energize_desktop.jobs import ledger
from energize_desktop.storage.api import WorkspaceAPI

YEAR_US = 365 * 86_400 * 10**6
MIN_HALF_DAYS = 120


def gather(ws: WorkspaceAPI, site_ref=None, period: str | None = None, tariff: str | None = None):
    """(Evidence, label) for the site (the only one when None) over `period` (default: the
    last 12 months with electricity data)."""
    from energize_desktop.analytics.recommendations import Evidence
    from energize_desktop.analytics.series import on_grid

    site = ws.site(ref(site_ref) if site_ref else None)
    start, end = _period(ws, site, period)
    line = ledger.fuel_ledger(ws, site, "electricity", start, end, tariff, step_s=3600)
    if line is None or line.imported is None:
        raise ValidationError(f"site {site.name}: no electricity import meter")
    elec = line.imported  # what is bought: priced and counted
    used = line.consumed  # what the building uses: baseload and after-hours, never net import
    series = on_grid(used.name, "kWh", used.ts_us, used.kwh, 3600, site.timezone)
    ev = Evidence(series)
    _money(ws, tariff, elec, ev)
    carbon = ledger.carbon_of(ws, elec, "electricity")
    if carbon is not None:
        ev.kg_per_kwh = carbon.kg_per_kwh
    _temperature_models(ws, site, start, end, ev)
    ev.quality = _quality(ws, site, start, end, elec)
    label = f"{site.name}, {local_date(start, site.timezone)}.." \
        f"{local_date(end, site.timezone)}"
    return ev, label


def _period(ws: WorkspaceAPI, site, text):
    if text:
        return period(text, site.timezone)
    summaries = ws.queries.summaries()
    lasts = [summaries[m.id].last for m in ws.meters(site)
             if m.kind is MeterKind.ELECTRICITY and m.id in summaries and summaries[m.id].last]
    if not lasts:
        raise ValidationError(f"site {site.name}: no electricity readings")
    end = int(max(lasts).timestamp() * 1e6) // 3_600_000_000 * 3_600_000_000
    return end - YEAR_US, end


def _money(ws: WorkspaceAPI, tariff_name, elec, ev) -> None:
    try:
        current = ledger.tariff(ws, tariff_name)
    except ValidationError:
        return  # no tariff: findings in kWh and CO2e only
    r = ledger.cost_on(elec, current, as_if=True)
    ev.price_per_kwh, ev.currency, ev.current_tariff = r.average_per_kwh, r.currency, current.name
    ev.demand_rate_per_kw_month = sum(c.per_kw_month for c in current.versions[-1].demand)
    for name in ledger.tariff_names(ws, current.fuel):  # "cheaper tariff" of the same fuel
        other = ledger.load_tariff(ws, name)
        if other.currency == current.currency:
            ev.tariff_costs[name] = ledger.cost_on(elec, other, as_if=True).total


def _daily_model(ws: WorkspaceAPI, site, kind, start, end):
    from energize_desktop.analytics import baseline as bl
    from energize_desktop.analytics.baseline_daily import fit_daily
    from energize_desktop.analytics.series import on_grid
    from energize_desktop.jobs.detection import align_to, meter_series

    temp_meter = next((m for m in ws.meters(site) if m.kind is MeterKind.TEMPERATURE), None)
    if temp_meter is None:
        return None
    try:
        e = sup.site_energy(ws, site, start, end, step_s=3600, kinds=(kind,))
    except ValidationError:
        return None
    series = on_grid(e.name, "kWh", e.ts_us, e.kwh, 3600, site.timezone)
    temp = align_to(series, meter_series(ws, temp_meter, 3600, start, end))
    frame = bl.frame_for(series, temp, "daily")
    ok = np.isfinite(frame.usage) & np.isfinite(frame.temp_c)
    if ok.sum() < 2 * MIN_HALF_DAYS:
        return frame, ok, None, None
    half = np.flatnonzero(ok)[ok.sum() // 2]
    first, second = ok.copy(), ok.copy()
    first[half:], second[:half] = False, False
    models = [fit_daily(frame.usage[m], frame.temp_c[m], frame.slot[m]) for m in (first, second)]
    whole = fit_daily(frame.usage[ok], frame.temp_c[ok], frame.slot[ok])
    return frame, ok, whole, models


def _temperature_models(ws: WorkspaceAPI, site, start, end, ev) -> None:
    from energize_desktop.analytics.degree_days import degree_days
    from energize_desktop.jobs.detection import meter_series

    heat_kind = MeterKind.GAS if any(m.kind is MeterKind.GAS for m in ws.meters(site)) else \
        MeterKind.ELECTRICITY
    heat = _daily_model(ws, site, heat_kind, start, end)
    if heat is None or heat[2] is None:
        return
    frame, ok, whole, (a, b) = heat
    if a.heating_bp is not None and b.heating_bp is not None:
        ev.sensitivity = (a.heating_slope, b.heating_slope)
        temp_meter = next(m for m in ws.meters(site) if m.kind is MeterKind.TEMPERATURE)
        dd = degree_days(meter_series(ws, temp_meter, 3600, start, end), whole.heating_bp or
                         15.5)
        ev.annual_hdd = dd.total_hdd
    cool = _daily_model(ws, site, MeterKind.ELECTRICITY, start, end) if \
        heat_kind is MeterKind.GAS else heat
    if cool and cool[2] is not None and cool[2].cooling_bp is not None and \
            whole.heating_bp is not None:
        c = cool[2]
        t = cool[0].temp_c
        both = cool[1] & (t > c.cooling_bp) & (t < whole.heating_bp)
        ev.simultaneous_kwh = float((c.cooling_slope * (t[both] - c.cooling_bp)).sum())


def _quality(ws: WorkspaceAPI, site, start, end, elec) -> dict:
    from energize_desktop.analytics import quality_checks
    from energize_desktop.jobs.detection import meter_series

    counts: dict[str, int] = {}
    for m in ws.meters(site):
        if m.amount_unit != "kWh":
            continue
        result = quality_checks.check(meter_series(ws, m, 3600, start, end), m.id)
        for e in result.events:
            if e.kind.value != "gap":
                key = f"{e.kind.value} events ({m.name})"
                counts[key] = counts.get(key, 0) + 1
    return {"coverage": float(np.isfinite(elec.kwh).mean()) if len(elec.kwh) else 0.0,
            "events": counts}
