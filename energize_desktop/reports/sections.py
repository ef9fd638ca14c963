"""The report's sections, each a function of the shared context returning blocks. Numbers come
from the same analytics as the window and the CLI, so a report and `energize kpis` agree."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.model import MeterKind
from energize_desktop.jobs import energy as sd
from energize_desktop.jobs import ledger
from energize_desktop.reports import svg_charts
from energize_desktop.reports.model import (
    Bullets,
    Chart,
    Figure,
    KeyFigures,
    Note,
    Para,
    Table,
)

DAY_US = 86_400_000_000


def _kwh(v: float | None) -> str:
    if v is None or v != v:
        return "no data"
    return f"{v:,.0f} kWh" if abs(v) >= 10 else f"{v:,.2f} kWh"


def _pct(v: float) -> str:
    return "n/a" if v != v else f"{v:+.1f} %"


# -- executive summary --------------------------------------------------------------------------
def summary(ctx) -> list:
    book = ctx.ledger
    if book is None or book.import_kwh is None and book.consumption_kwh is None:
        raise ValidationError("no energy readings in the period")
    total = book.import_kwh or 0.0
    before = _previous_total(ctx)
    figures = [Figure("Energy", _kwh(total), "all fuels bought, site total (sub-meters not "
                      "added twice)" + (f"; {_pct((total - before) / before * 100)} against the "
                                        "previous period of the same length" if before else ""))]
    for fuel, line in book.fuels.items():
        if line.import_kwh is not None:
            figures.append(Figure(fuel.capitalize(), _kwh(line.import_kwh),
                                  f"{line.coverage:.1%} of the period has data"))
        if line.generation_kwh is not None:
            figures.append(Figure(f"{fuel.capitalize()} generated", _kwh(line.generation_kwh),
                                  _generation_text(line)))
        if line.generation_kwh is not None or line.export_kwh is not None:
            figures.append(Figure(f"{fuel.capitalize()} consumed", _kwh(line.consumption_kwh),
                                  "bought + generated − exported"))
    figures += [Figure("Cost", *_cost(ctx)), Figure("Carbon", *_carbon(ctx))]
    elec = book.fuels.get("electricity")
    if elec is not None and elec.peak_kw is not None:
        kw = elec.imported.kwh / (elec.imported.step_s / 3600)
        when = datetime.fromtimestamp(elec.imported.ts_us[int(np.nanargmax(kw))] / 1e6,
                                      ZoneInfo(ctx.tz))
        figures.append(Figure("Peak demand", f"{elec.peak_kw:,.1f} kW",
                              f"{elec.imported.step_s // 60}-minute, {when:%a %d %b %Y %H:%M}"))
    figures.append(_eui_figure(ctx))
    savings = _savings_figure(ctx)
    if savings is not None:
        figures.append(savings)
    days = book.days
    return [Para(f"{ctx.site.name}: energy use, cost, carbon and demand over {days:,.0f} days."
                 + (f" {ctx.clip_note}" if ctx.clip_note else "")),
            KeyFigures(tuple(figures)), *_top_findings(ctx)]


def _savings_figure(ctx) -> Figure | None:
    """Avoided energy with its uncertainty, when the report has a baseline period."""
    if not ctx.baseline_period:
        return None
    try:
        result = _mv_result(ctx)
    except ValidationError as exc:
        return Figure("Savings", "n/a", str(exc))
    r, unit = result["json"]["reporting"], result["model"].unit
    if not r:
        return None
    u = r["uncertainty"]
    level = result["assessment"]["verdict"][1]
    caveat = "; insufficient data or extrapolating (section Baseline and savings)" \
        if level == "warn" else ""
    return Figure("Savings", f"{r['avoided']:,.0f} {unit}",
                  f"{100 * r['fraction']:+.1f} % of the adjusted baseline, ± "
                  f"{u['absolute']:,.0f} {unit} at {100 * u['confidence']:.0f} % confidence"
                  + caveat)


def _top_findings(ctx, n: int = 3) -> list:
    from energize_desktop.reports.alarms import ranked_alarms

    """The few things a reader of one page should know: the largest alarms by energy at
    stake and the recommendations worth the most (each in one line)."""
    lines = []
    names = {m.id: m for m in ctx.ws.meters(ctx.site)}
    zone = ZoneInfo(ctx.tz)
    for e in ranked_alarms(ctx)[:n]:
        m = names[e["meter_id"]]
        a = datetime.fromtimestamp(e["start_us"] / 1e6, zone)
        b = datetime.fromtimestamp((e["end_us"] - 1) / 1e6, zone)
        when = f"{a:%d %b %Y}" if a.date() == b.date() else f"{a:%d %b} – {b:%d %b %Y}"
        stake = f"{abs(e['stake']):,.0f} {m.amount_unit} " \
            f"{'more' if e['stake'] > 0 else 'less'} than usual" if e.get("stake") else \
            f"score {e['score']:.1f}"
        lines.append(f"{m.name}: {e['severity']} {e['kind']} alarm, {when}, {stake}")
    found, currency = _recommendations(ctx)
    worth = [f for f in found if (f.money_per_year or 0) > 0 or (f.kwh_per_year or 0) > 0]
    for f in sorted(worth, key=lambda f: (-(f.money_per_year or 0), -(f.kwh_per_year or 0)))[:n]:
        parts = ([_kwh(f.kwh_per_year)] if (f.kwh_per_year or 0) > 0 else []) + \
            ([f"{currency} {f.money_per_year:,.0f}"] if f.money_per_year else [])
        lines.append(f"{f.title}: about {' and '.join(parts)} a year")
    if not lines:
        return [Note("No alarms and no recommendations for this period.")]
    return [Bullets("Top findings", tuple(lines))]


def _mv_result(ctx) -> dict:
    """The baseline run of the report (read once: the summary and its section share it)."""
    from energize_desktop.jobs import mv as mv_job

    if "mv" not in ctx.cache:
        meter = _main_electricity(ctx)
        span = _span(ctx)
        savings = bool(ctx.baseline_period)
        try:
            ctx.cache["mv"] = meter, mv_job.run(ctx.ws, mv_job.MvRequest(
                meter=str(meter.id), train=ctx.baseline_period or span,
                predict=span if savings else None, granularity="daily"))
        except ValidationError as exc:
            ctx.cache["mv"] = exc
    if isinstance(ctx.cache["mv"], ValidationError):
        raise ctx.cache["mv"]
    return ctx.cache["mv"][1]


def _span(ctx) -> str:
    zone = ZoneInfo(ctx.tz)
    return (f"{datetime.fromtimestamp(ctx.start_us / 1e6, zone):%Y-%m-%d}.."
            f"{datetime.fromtimestamp(ctx.end_us / 1e6, zone):%Y-%m-%d}")


def _generation_text(line) -> str:
    parts = []
    if line.self_consumption is not None:
        parts.append(f"{line.self_consumption:.0%} used on site")
    if line.self_sufficiency is not None:
        parts.append(f"{line.self_sufficiency:.0%} of consumption")
    return "; ".join(parts) or "on site"


def _eui_figure(ctx) -> Figure:
    """Consumption per m², annualised over the days with data (never over empty ones), beside
    the reference for the site's country and type (or saying there is none)."""
    from energize_desktop.core.units import m2_to_ft2
    from energize_desktop.jobs.benchmarks import benchmark

    if not ctx.site.floor_area_m2:
        return Figure("Site EUI", "n/a", "the site has no floor area")
    book = ctx.ledger
    covered = [line.coverage for line in book.fuels.values() if line.imported is not None]
    days = book.days * (max(covered) if covered else 0.0)
    if not days:
        return Figure("Site EUI", "n/a", "no data in the period")
    per_year = 365.25 / days
    annual = {fuel: {k: (getattr(line, f"{k}_kwh") or 0.0) * per_year
                     for k in ("consumption", "import", "export", "generation")}
              for fuel, line in book.fuels.items()}
    b = benchmark(ctx.site, annual)
    total = b["eui"]["site"]["total"]
    kbtu = total * ctx.site.floor_area_m2 * 3.412141633 / m2_to_ft2(ctx.site.floor_area_m2)
    parts = [f"{kbtu:,.1f} kBtu/ft²·yr over {ctx.site.floor_area_m2:,.0f} m², from "
             f"{days:,.0f} days with data"]
    for r in b["references"]:
        ours = r["ours_kwh_m2"]
        parts.append(f"{r['fuel'].replace('_', '-')} {ours:,.0f} against {r['kwh_m2']:,.0f} "
                     f"({r['statistic']}, {r['source']})" if ours is not None else
                     f"{r['fuel']} reference {r['kwh_m2']:,.0f} ({r['source']})")
    if not b["references"]:
        parts.append(b["reference_note"])
    if "source" in b["eui"]:
        parts.append(f"source {b['eui']['source']['total']:,.0f} kWh/m²·yr")
    return Figure("Site EUI (annualised)", f"{total:,.0f} kWh/m²·yr", "; ".join(parts))


def _previous_total(ctx) -> float:
    length = ctx.end_us - ctx.start_us
    try:
        prev = sd.site_energy(ctx.ws, ctx.site, ctx.start_us - length, ctx.start_us,
                              kinds=sd.CONSUMPTION)
    except ValidationError:
        return 0.0
    return float(np.nansum(prev.kwh)) if np.isfinite(prev.kwh).mean() > 0.9 else 0.0


def _cost(ctx) -> tuple[str, str]:
    book = ctx.ledger
    costs = book.costs()
    if not costs:
        notes = [line.cost_note for line in book.fuels.values() if line.cost_note]
        return "n/a", "; ".join(notes) or "nothing to price"
    value = ", ".join(f"{cur} {v:,.0f}" for cur, v in costs.items())
    parts = [f"{fuel} on {line.cost.tariff}" if line.cost else f"{fuel}: {line.cost_note}"
             for fuel, line in book.fuels.items() if line.imported is not None]
    return value, "; ".join(parts)


def _carbon(ctx) -> tuple[str, str]:
    book = ctx.ledger
    if book.carbon_kg is None:
        return "n/a", ledger.no_factors("any fuel")
    parts = [f"{fuel} {line.carbon.kg / 1000:,.2f} t" if line.carbon else
             f"{fuel}: {line.carbon_note}" for fuel, line in book.fuels.items()
             if line.imported is not None]
    return f"{book.carbon_kg / 1000:,.2f} t CO2e", "location-based; " + "; ".join(parts)


# -- breakdown ----------------------------------------------------------------------------------
def breakdown(ctx) -> list:
    rows = []
    totals = {}
    for m in ctx.ws.meters(ctx.site):
        if m.amount_unit != "kWh":
            continue
        e = sd.meter_energy(ctx.ws, m, ctx.start_us, ctx.end_us)
        totals[m.name] = (m, float(np.nansum(e.kwh)), float(np.isfinite(e.kwh).mean())
                          if len(e.kwh) else 0.0)
    site_total = sum(e.kwh[np.isfinite(e.kwh)].sum() for e in ctx.fuels) or 1.0
    counted = {m.id for e in ctx.fuels for m in e.meters}  # the meters the site total adds
    for name, (m, kwh, cover) in totals.items():
        rows.append((name, _role_label(m), _kwh(kwh),
                     f"{kwh / site_total:.1%}" if m.id in counted else "–", f"{cover:.1%}"))
    meters = Table(("Meter", "Role", "Energy (kWh)", "Share of site total", "Coverage"),
                   tuple(rows), "Energy per meter in the period")
    return [meters, _monthly_table(ctx)]


def _role_label(m) -> str:
    """What the meter is to the site: 'electricity import', 'gas import', 'sub-meter',
    'generation', 'export', 'virtual' — the reason it is or is not in the site total."""
    if m.is_virtual:
        return "virtual"
    role = m.effective_role.value
    return {"sub": "sub-meter"}.get(role, f"{m.fuel} {role}" if role in ("import", "consumption")
                                    else role)


def _monthly(ctx, e: sd.Energy) -> dict[str, float]:
    """kWh per local month; NaN for a month without any reading ("no data", never 0)."""
    from energize_desktop.analytics.local_time import local_times, month_label

    keys = local_times(e.ts_us, ctx.tz).month_key
    out = {}
    for k in np.unique(keys):
        part = e.kwh[keys == k]
        out[month_label(int(k))] = float(np.nansum(part)) if np.isfinite(part).any() \
            else float("nan")
    return out


def _monthly_table(ctx) -> Table:
    per_fuel = {e.name.split(" — ")[-1]: _monthly(ctx, e) for e in ctx.fuels}
    months = sorted({m for d in per_fuel.values() for m in d})
    rows = tuple((m, *(_kwh(d.get(m, float("nan"))) for d in per_fuel.values()))
                 for m in months)
    return Table(("Month", *(f"{f.capitalize()} bought (kWh)" for f in per_fuel)), rows,
                 "Site energy bought per local calendar month")


# -- charts -------------------------------------------------------------------------------------
def charts(ctx) -> list:
    from energize_desktop.analytics.local_time import local_times
    from energize_desktop.analytics.series import on_grid
    from energize_desktop.analytics.shapes import shapes

    if ctx.elec is None:
        raise ValidationError("no electricity meter")
    monthly = _monthly(ctx, ctx.elec)
    out = [Chart(svg_charts.bars(list(monthly), list(monthly.values()), "kWh", "month"),
                 "Site electricity bought per month (kWh)")]
    hourly, what = _hourly_use(ctx)
    series = on_grid("site", "kWh", hourly.ts_us, hourly.kwh, 3600, ctx.tz)
    s = shapes(series, local_times(series.ts_us, ctx.tz).month)
    profiles = {k: list(v) for k, v in s.profiles.items() if k.endswith("all year")}
    out.append(Chart(svg_charts.lines(profiles, list(range(24)), "kW (mean)", "hour of day",
                                      [(h, f"{h:02d}") for h in range(0, 24, 3)]),
                     f"Average day profiles of {what}, weekdays and weekends (kW)"))
    first_day = float(series.ts_us[0]) / 1e6 if len(series.ts_us) else 0.0
    ticks = [((t - first_day) / 86400, label) for t, label in
             svg_charts.date_ticks([first_day, first_day + 86400 * len(s.carpet)], ctx.tz)]
    out.append(Chart(svg_charts.carpet(s.carpet, "kW", ticks),
                     f"Carpet plot of {what}: each column a day, each row an hour (blank = no "
                     "data)"))
    ldc = s.duration_kw
    out.append(Chart(svg_charts.lines({"demand": list(ldc)}, list(range(len(ldc))), "kW",
                                      "hours at or above"), f"Load-duration curve of {what} (kW)"))
    return out


def _hourly_use(ctx) -> tuple[sd.Energy, str]:
    """What the building used per hour — consumption (bought + generated − exported) where it
    makes or sells electricity, never the net import a PV roof hollows out at noon."""
    line = ctx.ledger.fuels.get("electricity")
    used = line.consumed if line is not None else None
    if used is None or (line.generation_kwh is None and line.export_kwh is None):
        hourly = sd.site_energy(ctx.ws, ctx.site, ctx.start_us, ctx.end_us, step_s=3600,
                                kinds=(MeterKind.ELECTRICITY,))
        return hourly, "site electricity"
    per = 3600 // used.step_s
    n = len(used.kwh) // per * per
    block = used.kwh[:n].reshape(-1, per)
    kwh = np.where(np.isfinite(block).all(axis=1), block.sum(axis=1), np.nan)
    hourly = sd.Energy(used.name, used.ts_us[:n:per], kwh, 3600, used.tz, used.meters,
                       used.calendar)
    return hourly, "electricity consumed"


# -- baseline and savings -----------------------------------------------------------------------
def baseline(ctx) -> list:
    result = _mv_result(ctx)
    meter, savings = ctx.cache["mv"][0], bool(ctx.baseline_period)
    stats = result["model"].stats
    ts, actual, predicted, lower, upper = result["rows"]
    x = list(np.asarray(ts) / 1e6)
    said, level = result["assessment"]["verdict"]  # the window's and the CLI's own words
    verdict = {"ok": "meets Guideline 14", "fail": "does not meet Guideline 14"}.get(
        level, "see below")
    figures = KeyFigures((Figure("CV(RMSE)", f"{stats.cvrmse:.1f} %", "limit 15 % (monthly) "
                                 "/ 30 % (hourly)"),
                          Figure("NMBE", f"{stats.nmbe:+.2f} %", "measured minus predicted"),
                          Figure("R²", f"{stats.r2:.3f}", f"{stats.n} days, {stats.p} parameters"),
                          Figure("Verdict", verdict, stats.granularity)))
    chart = Chart(svg_charts.lines({"actual": list(actual), "predicted": list(predicted)}, x,
                                   f"{result['model'].unit} per day", "local date",
                                   svg_charts.date_ticks(x, ctx.tz)),
                  f"Daily baseline fit for {meter.name}: actual and predicted")
    intro = (f"A daily CalTRACK change-point model of {meter.name} fitted to the baseline "
             f"period {ctx.baseline_period} and applied to the report period: avoided energy "
             "with its fractional savings uncertainty below." if savings else
             f"A daily CalTRACK change-point model of {meter.name} fitted to the report period "
             "itself (its goodness of fit). Savings need a baseline period before the change; "
             "none was chosen for this report.")
    caveat = [Para(f"Verdict: {said.lstrip('⚠ ')}")] if level == "warn" else []
    return [Para(intro), figures, *caveat, chart,
            *(Para(line) for line in result["lines"][1:])]


def _main_electricity(ctx):
    for m in ctx.ws.meters(ctx.site):
        if m.kind is MeterKind.ELECTRICITY and m.parent_id is None:
            return m
    raise ValidationError("no top-level electricity meter")


# -- recommendations ----------------------------------------------------------------------------
def _recommendations(ctx) -> tuple[list, str]:
    from energize_desktop.analytics.recommendations import recommend
    from energize_desktop.jobs.evidence import gather

    if "recommendations" not in ctx.cache:
        evidence, _ = gather(ctx.ws, ctx.site.id, _span(ctx))
        ctx.cache["recommendations"] = recommend(evidence), evidence.currency or ""
    return ctx.cache["recommendations"]


def recommendations(ctx) -> list:
    found, cur = _recommendations(ctx)
    if not found:
        return [Note("No findings: the rules found nothing worth a recommendation.")]
    rows = tuple((f.title, _kwh(f.kwh_per_year), f"{cur} {f.money_per_year:,.0f}" if
                  f.money_per_year else "–", f"{f.kg_co2e_per_year / 1000:,.2f} t",
                  "; ".join(f.evidence), f.assumption) for f in found)
    return [Table(("Finding", "Energy (kWh/yr)", "Money (per yr)", "CO2e (t/yr)", "Evidence",
                   "Assumption"), rows, "Estimated annual savings, first estimates before a "
                  "site visit")]


# -- data quality -------------------------------------------------------------------------------
def quality(ctx) -> list:
    from energize_desktop.core.quality import Quality

    rows = []
    codes = ctx.ws.queries.quality_counts([m.id for m in ctx.ws.meters(ctx.site)],
                                          _dt(ctx.start_us), _dt(ctx.end_us))
    for m in ctx.ws.meters(ctx.site):
        frame = ctx.ws.queries.rollup("hour", [m.id], _dt(ctx.start_us), _dt(ctx.end_us))
        hours = (ctx.end_us - ctx.start_us) / 3_600_000_000
        covered = float(frame["covered_s"].sum()) / 3600 if len(frame) else 0.0
        estimated = float(frame["estimated_s"].sum()) / 3600 if len(frame) else 0.0
        gaps, _ = ctx.ws.queries.gaps(m.id)
        mine = codes.get(m.id, {})
        est = sum(n for q, n in mine.items() if q in (Quality.ESTIMATED,
                                                     Quality.ESTIMATED_REFERENCE_DAY))
        rows.append((m.name, f"{covered / hours:.1%}", f"{gaps:,}",
                     f"{est:,} ({estimated:,.1f} h)", f"{mine.get(Quality.MANUALLY_EDITED, 0):,}",
                     f"{mine.get(Quality.QUESTIONABLE, 0):,}"))
    return [Table(("Meter", "Coverage (share of hours)", "Gaps (longer than 3 intervals)",
                   "Estimated readings (time)", "Edited readings", "Questionable readings"),
                  tuple(rows),
                  "A gap is reported as a gap: never filled with zeros")]


def _dt(us: int):
    from datetime import timezone

    return datetime.fromtimestamp(us / 1e6, timezone.utc)


# -- methodology --------------------------------------------------------------------------------
def methodology(ctx) -> list:
    factors, hourly = ledger.carbon_factors(ctx.ws, "electricity")
    sources = [f"{f.valid_from}–{f.valid_to or 'open'}: {f.kg_per_kwh:g} kg CO2e/kWh, {f.source}"
               for f in factors] + ([f"hourly series: {hourly.source}"] if hourly else [])
    try:
        tariff = ledger.tariff(ctx.ws).name
    except ValidationError:
        tariff = "none kept"
    return [Para("Energy is summed from each meter's 15-minute or hourly rollups; cumulative "
                 "registers are differenced with rollover and reset detection, so a counter "
                 "reset never becomes negative energy. A site's total adds its top-level meters "
                 "only. Peak demand is the highest 15-minute mean (where the data allows)."),
            Para("Baselines follow CalTRACK 2.0 (daily change-point models with balance points "
                 "searched on the 30–90 °F grid; hourly time-of-week-and-temperature models) and "
                 "are judged by ASHRAE Guideline 14 (CV(RMSE) and NMBE with n − p degrees of "
                 "freedom). Savings uncertainty is the Guideline 14 fractional savings "
                 "uncertainty with lag-1 autocorrelation."),
            Para("EUI uses ENERGY STAR Portfolio Manager site-to-source ratios (Technical "
                 "Reference, Source Energy, Aug 2023): electricity 2.80, natural gas 1.05 (US)."),
            Para(f"Tariff: {tariff}. Emission factors (location-based, GHG Protocol scope 2): "
                 + ("; ".join(sources) if sources else "none kept") + ".")]
