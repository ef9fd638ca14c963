"""`energize kpis`, `energize compare`, `energize degree-days`: key figures of meters and sites.

    energize kpis -w W [--meter M ... | --site S] --period 2025-01-01..2026-01-01 [--tariff T]
    energize compare -w W --meter M --period 2025-09 --against previous|last-year|FROM..TO
    energize compare -w W --site A --site B --period 2025            (site vs site)
    energize degree-days -w W [--site S] --period 2025 [--base 15.5] [--fit-meter M]
"""

from __future__ import annotations

from energize_desktop.cli.common import command, dump, ref
from energize_desktop.core.errors import ValidationError
from energize_desktop.core.instants import local_date
from energize_desktop.core.periods import period, shift_period
from energize_desktop.jobs import energy as sup
from energize_desktop.jobs import ledger


def add_parsers(sub) -> None:
    k = command(sub, "kpis", kpis, help="energy, peak demand, load factor, baseload, shares, EUI, "
                       "cost and carbon per meter and site")
    _common(k)
    k.add_argument("--tariff", help="price the energy on this tariff (default: the workspace's)")
    k.add_argument("--occupied", default="08-18", metavar="HH-HH",
                   help="occupied hours on weekdays, for after-hours shares (default 08-18)")

    c = command(sub, "compare", compare, help="period vs period, meter vs meter, site vs site — per "
                       "m² and per degree-day")
    _common(c)
    c.add_argument("--against", default="previous",
                   help="previous | last-year | FROM..TO (with one meter or site)")
    c.add_argument("--fuel", choices=["all", "electricity", "gas", "heat"], default="all",
                   help="a site's meters to total (default: all fuels, in kWh)")

    d = command(sub, "degree-days", degree_days_cmd, help="heating and cooling degree-days per month")
    d.add_argument("--site", "-s", help="site name or id (default: the only site)")
    d.add_argument("--period", required=True, help="FROM..TO, YYYY-MM or YYYY (site local)")
    d.add_argument("--base", type=float, help="heating base °C (default 15.5)")
    d.add_argument("--cooling-base", type=float, help="cooling base °C (default 18.3)")
    d.add_argument("--fit-meter", metavar="M",
                   help="use the balance points fitted to this meter's daily energy")
    d.add_argument("--json", action="store_true")


def _common(p) -> None:
    p.add_argument("--meter", "-m", action="append", default=[], help="meter (repeatable)")
    p.add_argument("--site", "-s", action="append", default=[], help="site (repeatable)")
    p.add_argument("--period", required=True, help="FROM..TO, YYYY-MM or YYYY (site local)")
    p.add_argument("--json", action="store_true")


def _sites(ws, args) -> list:
    if args.site:
        return [ws.site(ref(r)) for r in args.site]
    return [] if args.meter else [ws.site()]


def _subjects(ws, args, start, end, by_fuel=True, sites=True) -> list[tuple[object, sup.Energy]]:
    """(site, energy) of each meter and site named (the site's own when nothing is named): per
    fuel, or the site's total of all fuels for comparisons."""

    out = [(ws.site_of(m), sup.meter_energy(ws, m, start, end))
           for m in (ws.meter(ref(r)) for r in args.meter)]
    for s in _sites(ws, args) if sites else []:  # one total per fuel: kWh of gas and of electricity do not share a peak
        out += [(s, e) for e in sup.site_energy_by_fuel(ws, s, start, end)] if by_fuel else \
            [(s, sup.site_energy(ws, s, start, end, kinds=_kinds(args.fuel)))]
    return out


def _kinds(fuel: str):
    from energize_desktop.core.model import MeterKind

    return sup.CONSUMPTION if fuel == "all" else (MeterKind(fuel),)


def _tz(ws, args) -> str:

    if args.meter:
        return ws.site_of(ws.meter(ref(args.meter[0]))).timezone
    return ws.site(ref(args.site[0]) if args.site else None).timezone


# -- kpis ---------------------------------------------------------------------------------------
def kpis(args) -> int:
    from energize_desktop.storage import Workspace

    with Workspace.open(args.workspace, read_only=True) as ws:
        tz = _tz(ws, args)
        start, end = period(args.period, tz)
        rows = [_kpi_row(ws, site, e, args, start, end) for site, e in _subjects(
            ws, args, start, end, sites=False)]
        for site in _sites(ws, args):
            rows += [_site_row(ws, site, line, args, start, end) for line in
                     ledger.site_ledger(ws, site, start, end,
                                        {"electricity": args.tariff} if args.tariff else None)
                     .fuels.values() if line.imported is not None]
    if args.json:
        print(dump(rows))
    else:
        for row in rows:
            print("\n".join(_kpi_lines(row)))
    return 0


def _site_row(ws, site, line, args, start, end) -> dict:
    """A site's fuel from the ledger: shape figures (baseload, after hours, shares) from what
    the building consumed — import + generation − export, never a net import — and cost,
    carbon and peak from what it bought."""
    row = _kpi_row(ws, site, line.consumed, args, start, end, line=line)
    row["name"] = f"{site.name} — {line.fuel}"
    row["import_kwh"], row["export_kwh"] = line.import_kwh, line.export_kwh
    row["generation_kwh"], row["consumption_kwh"] = line.generation_kwh, line.consumption_kwh
    row["self_consumption"], row["self_sufficiency"] = (line.self_consumption,
                                                        line.self_sufficiency)
    row["peak_import_kw"] = line.peak_kw  # what demand charges see (the peaks above: use)
    return row


def _kpi_row(ws, site, energy: sup.Energy, args, start, end, line=None) -> dict:
    from energize_desktop.analytics.kpis import kpis as compute
    from energize_desktop.analytics.series import on_grid

    try:
        hours = tuple(int(h) for h in args.occupied.split("-"))
    except ValueError:
        raise ValidationError(f"--occupied {args.occupied!r}: expected HH-HH such as 08-18") \
            from None
    series = on_grid(energy.name, "kWh", energy.ts_us, energy.kwh, energy.step_s, energy.tz)
    k = compute(series, occupied_hours=hours, non_working=energy.calendar.non_working).to_dict()
    if energy.calendar.source:
        k["calendar"] = energy.calendar.source
    row = {"name": energy.name, "site": site.name, "period": args.period,
           "step_min": energy.step_s // 60, **k}
    days = (end - start) / 86_400e6
    if site.floor_area_m2 and k["coverage"] > 0:
        row["eui"] = _eui(site, energy, line, k["energy"] * 365.25 / (days * k["coverage"]),
                          365.25 / (days * k["coverage"]))
    if line is None:
        line = ledger.meter_ledger(ws, energy.meters[0], start, end, args.tariff) \
            if len(energy.meters) == 1 else None
    if line is not None and line.cost is not None:
        row["cost"] = line.cost.to_dict()
    else:
        row["cost_note"] = line.cost_note if line is not None else None
    if line is not None and line.carbon is not None:
        row["carbon"] = line.carbon.to_dict()
    elif line is not None:
        row["carbon_note"] = line.carbon_note
    return row


def _eui(site, energy, line, annual_kwh: float, per_year: float) -> dict:
    """This fuel's EUI annualised over the covered days, beside the reference for the site's
    country and type and on its country's primary-energy factors — or saying there is none."""
    from energize_desktop.core.units import m2_to_ft2
    from energize_desktop.jobs.benchmarks import FUEL_GROUP, benchmark

    fuel = energy.meters[0].fuel if len({m.fuel for m in energy.meters}) == 1 else "electricity"
    annual = {"consumption": annual_kwh}
    if line is not None:
        annual.update({k: (getattr(line, f"{k}_kwh") or 0.0) * per_year
                       for k in ("import", "export", "generation")})
    b = benchmark(site, {fuel or "electricity": annual})
    group = FUEL_GROUP.get(fuel or "electricity", fuel)
    site_kwh_m2 = b["eui"]["site"].get(group, 0.0)
    out = {"site_kwh_m2": site_kwh_m2,
           "site_kbtu_ft2": annual_kwh * 3.412141633 / m2_to_ft2(site.floor_area_m2),
           "source_kwh_m2": b["eui"].get("source", {}).get("total"),
           "source_note": b.get("source_note"), "primary_factors": b.get("primary_factors"),
           "references": [r for r in b["references"] if r["basis"] == "site" and
                          r["fuel"] == group],
           "country": site.country or None, "building_type": site.building_type or None}
    if not out["references"]:
        out["reference_note"] = b.get("reference_note") or (
            f"no {group} reference for {site.building_type} in {site.country} (the references "
            "kept are for " + ", ".join(f"{r['fuel']} {r['basis']}" for r in b["references"]) +
            ")")
    return out


def _eui_line(e: dict) -> str:
    text = f"  EUI (annualised)  site {e['site_kwh_m2']:,.0f} kWh/m²·yr " \
           f"({e['site_kbtu_ft2']:,.1f} kBtu/ft²·yr)"
    for r in e["references"]:
        text += (f"; reference {r['kwh_m2']:,.0f} ({r['statistic']}, {r['source']}): "
                 f"{e['site_kwh_m2'] / r['kwh_m2']:.2f}×")
    if not e["references"]:
        text += f"; {e['reference_note']}"
    if e["source_kwh_m2"] is not None:
        text += f"; source {e['source_kwh_m2']:,.0f} kWh/m²·yr"
    else:
        text += f"; {e['source_note']}"
    return text


def _kpi_lines(r: dict) -> list[str]:
    lines = [f"{r['name']} ({r['site']}), {r['period']}, {r['step_min']}-minute steps, "
             f"{r['coverage']:.1%} covered",
             f"  energy            {r['energy']:,.0f} kWh",
             f"  peak demand       {r['peak_fixed_kw']:,.1f} kW (fixed step), "
             + (f"{r['peak_rolling_kw']:,.1f} kW (rolling 15 min)" if r["step_min"] <= 15
                else "hourly data: 15-minute peaks not visible"),
             f"  mean / load factor {r['mean_kw']:,.1f} kW / {r['load_factor']:.2f}",
             f"  baseload (P5)     {r['baseload_kw']:,.1f} kW",
             f"  after hours       {r['after_hours_share']:.1%} of energy (weekday nights)",
             f"  weekend/holidays  {r['weekend_share']:.1%} of energy; working/other day "
             f"ratio {r['weekday_weekend_ratio']:.2f}"
             + (f" ({r['calendar']})" if r.get("calendar") else "")]
    if r.get("generation_kwh") is not None or r.get("export_kwh") is not None:
        lines.append(f"  bought / made / sold  {_k(r['import_kwh'])} / {_k(r['generation_kwh'])}"
                     f" / {_k(r['export_kwh'])}; consumed {_k(r['consumption_kwh'])}"
                     + (f"; self-consumption {r['self_consumption']:.0%}, self-sufficiency "
                        f"{r['self_sufficiency']:.0%}" if r.get("self_consumption") is not None
                        else ""))
    if "eui" in r:
        lines.append(_eui_line(r["eui"]))
    if "cost" in r:
        c = r["cost"]
        bands = ", ".join(f"{n} {b['kwh']:,.0f} kWh {c['currency']} {b['cost']:,.0f}"
                          for n, b in c["bands"].items())
        demand = sum(d["cost"] for d in c["demand"])
        lines.append(f"  cost ({c['tariff']}) {c['currency']} {c['total']:,.0f}: {bands}; "
                     f"demand {demand:,.0f}; fixed {c['fixed']:,.0f}")
        lines += [f"    note: {n}" for n in c["notes"]]
    elif r.get("cost_note"):
        lines.append(f"  cost: {r['cost_note']}")
    if "carbon" in r:
        c = r["carbon"]
        lines.append(f"  carbon            {c['kg'] / 1000:,.2f} t CO2e ({c['kg_per_kwh']:.3f} "
                     f"kg/kWh; {'; '.join(c['sources'])})")
        lines += [f"    note: {n}" for n in c["notes"]]
    return lines


def _k(v) -> str:
    return "no data" if v is None else f"{v:,.0f} kWh"


# -- compare ------------------------------------------------------------------------------------
def compare(args) -> int:
    from energize_desktop.analytics.compare import compare as diff
    from energize_desktop.storage import Workspace

    with Workspace.open(args.workspace, read_only=True) as ws:
        tz = _tz(ws, args)
        start, end = period(args.period, tz)
        subjects = _subjects(ws, args, start, end, by_fuel=False)
        if len(subjects) == 2:
            a, b = (_figures(ws, site, e, start, end, e.name) for site, e in subjects)
        elif len(subjects) == 1:
            site, e = subjects[0]
            s2, e2 = shift_period(start, end, tz, args.against)
            other = _subjects(ws, args, s2, e2, by_fuel=False)[0][1]
            a = _figures(ws, site, e, start, end, _label(start, end, tz))
            b = _figures(ws, site, other, s2, e2, _label(s2, e2, tz))
        else:
            raise ValidationError("compare: name one meter or site (against another period) "
                                  "or exactly two meters or sites")
    result = diff(a, b)
    print(dump(result) if args.json else "\n".join(_compare_lines(result)))
    return 0


def _label(start, end, tz) -> str:
    return f"{local_date(start, tz)}..{local_date(end, tz)}"


def _figures(ws, site, energy: sup.Energy, start, end, label):
    from energize_desktop.analytics.compare import figures

    hdd = cdd = None
    temp_meter = _temperature_meter(ws, site)
    if temp_meter is not None:
        dd = _degree_days(ws, temp_meter, start, end)
        hdd, cdd = dd.total_hdd, dd.total_cdd
    return figures(label, energy.kwh, energy.step_s, site.floor_area_m2, hdd, cdd)


def _compare_lines(r: dict) -> list[str]:
    names = {"kwh": "energy (kWh)", "kwh_per_day": "kWh per covered day",
             "kwh_per_m2": "kWh/m²", "kwh_per_degree_day": "kWh per degree-day"}
    a, b = r["a"]["label"], r["b"]["label"]
    lines = [f"{a}  vs  {b}"]
    for key, row in r["rows"].items():
        lines.append(f"  {names[key]:<22} {row['a']:>12,.1f} {row['b']:>12,.1f} "
                     f"{row['difference']:>+12,.1f} ({row['difference_pct']:+.1f} %)")
    if r["note"]:
        lines.append(f"  {r['note']}")
    return lines


# -- degree-days --------------------------------------------------------------------------------
def degree_days_cmd(args) -> int:
    from energize_desktop.storage import Workspace

    with Workspace.open(args.workspace, read_only=True) as ws:
        site = ws.site(ref(args.site) if args.site else None)
        start, end = period(args.period, site.timezone)
        temp_meter = _temperature_meter(ws, site)
        if temp_meter is None:
            raise ValidationError(f"site {site.name}: no outdoor temperature meter; import a "
                                  "weather file first")
        heating, cooling, how = args.base, args.cooling_base, "chosen"
        if args.fit_meter:
            heating, cooling, how = _fitted(ws, ws.meter(ref(args.fit_meter)), temp_meter,
                                            start, end, heating, cooling)
        dd = _degree_days(ws, temp_meter, start, end, heating, cooling, how)
        months = dd.monthly(site.timezone)
    out = {"site": site.name, "heating_base_c": dd.heating_base_c,
           "cooling_base_c": dd.cooling_base_c, "how": dd.how, "hdd": dd.total_hdd,
           "cdd": dd.total_cdd, "months": months}
    if args.json:
        print(dump(out))
        return 0
    print(f"{site.name}: heating base {dd.heating_base_c:.1f} °C, cooling base "
          f"{dd.cooling_base_c:.1f} °C ({dd.how})")
    for month, m in months.items():
        missing = f"  ({m['days_missing']} days without temperature)" if m["days_missing"] else ""
        print(f"  {month}  HDD {m['hdd']:7.1f}  CDD {m['cdd']:6.1f} °C·day{missing}")
    print(f"  total    HDD {dd.total_hdd:7.1f}  CDD {dd.total_cdd:6.1f} °C·day")
    return 0


def _fitted(ws, meter, temp_meter, start, end, heating, cooling):
    from energize_desktop.analytics import degree_days as ddm
    from energize_desktop.jobs.detection import align_to, meter_series

    energy = meter_series(ws, meter, 3600, start, end)
    temp = align_to(energy, meter_series(ws, temp_meter, 3600, start, end))
    h, c, words = ddm.fitted_balance_points(energy, temp)
    return (h if h is not None else heating or ddm.DEFAULT_HEATING_BASE_C,
            c if c is not None else cooling or ddm.DEFAULT_COOLING_BASE_C,
            f"fitted to {meter.name}: {words}")


def _temperature_meter(ws, site):
    from energize_desktop.core.model import MeterKind

    return next((m for m in ws.meters(site) if m.kind is MeterKind.TEMPERATURE), None)


def _degree_days(ws, temp_meter, start, end, heating=None, cooling=None, how="chosen"):
    from energize_desktop.analytics import degree_days as ddm
    from energize_desktop.jobs.detection import meter_series

    temp = meter_series(ws, temp_meter, 3600, start, end)
    return ddm.degree_days(temp, heating or ddm.DEFAULT_HEATING_BASE_C,
                           cooling or ddm.DEFAULT_COOLING_BASE_C, how)

