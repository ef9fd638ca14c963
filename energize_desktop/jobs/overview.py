"""What the Overview page shows, computed off the GUI thread into an immutable payload: KPI
cards for today and this month against the period before, cost, carbon, peak demand, open
alerts, the site's recent power, the latest anomalies and the top recommendations.

"Now" is the latest electricity reading of the site (a workspace of last year's data shows last
year's today), so every card compares like with like: today so far against the same hours of
the same weekday a week earlier, this month so far against the same days of the month before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.instants import to_us
from energize_desktop.core.model import MeterKind, ref
from energize_desktop.jobs import energy as sd
from energize_desktop.jobs import ledger
from energize_desktop.storage.api import WorkspaceAPI

DAY_US = 86_400 * 10**6


@dataclass(frozen=True)
class Card:
    title: str
    value: str
    detail: str = ""
    tone: str = "neutral"  # neutral | good | bad
    action: str = ""  # the editor that would fill what is missing: tariffs, factors, site


@dataclass(frozen=True)
class Overview:
    site: str
    as_of: str
    cards: tuple[Card, ...]
    power_x: np.ndarray  # seconds, local wall clock, last 48 h
    power_kw: np.ndarray
    anomalies: tuple[str, ...]
    findings: tuple[str, ...]
    finding_charts: tuple[dict, ...] = ()  # per finding: the chart that shows it (see
    # recommendations.Finding.chart: meter name, view, from_us, to_us)
    first_steps: bool = False  # a site with no readings yet: its cards say what to do first


def overview(ws: WorkspaceAPI, site_ref=None, with_findings: bool = True) -> Overview:
    site = ws.site(ref(site_ref)) if site_ref else _building_site(ws)
    zone = ZoneInfo(site.timezone)
    now_us = _latest(ws, site)
    if now_us is None:  # nothing to show yet: what to do first
        return _first_steps(ws, site)
    now = datetime.fromtimestamp(now_us / 1e6, zone)
    day0 = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month0 = day0.replace(day=1)
    month = sd.site_energy(ws, site, to_us(month0), now_us, kinds=(MeterKind.ELECTRICITY,))
    cards = [_compare_card(ws, site, "Today", to_us(day0), now_us, 7 * DAY_US),
             _month_card(ws, site, month, month0)]
    cost, carbon = _money_and_carbon(ledger.site_ledger(ws, site, to_us(month0), now_us))
    cards += [_declared_fuels(ws, site, cost), carbon]
    cards.append(_peak_card(month))
    cards.append(_alerts_card(ws))
    recent = sd.site_energy(ws, site, now_us - 2 * DAY_US, now_us,
                            kinds=(MeterKind.ELECTRICITY,))
    offsets = (recent.ts_us + (now.utcoffset().total_seconds() * 1e6)).astype(np.int64)
    findings = _findings(ws, site) if with_findings else ()
    return Overview(site.name, now.strftime("%a %d %b %Y %H:%M"), tuple(cards),
                    offsets / 1e6, recent.kwh / (recent.step_s / 3600),
                    _latest_anomalies(ws, site), tuple(text for text, _ in findings),
                    tuple(chart for _, chart in findings))


def _building_site(ws: WorkspaceAPI):
    """With several sites and none named, the building's: the site with the most metered
    (not live-logged) electricity — the live data's own site only when nothing else is."""
    sites = ws.sites()
    if len(sites) <= 1:
        return ws.site(None)

    def weight(site):
        meters = [m for m in ws.meters(site) if m.kind is MeterKind.ELECTRICITY]
        logged = sum((m.source or {}).get("protocol") in ("modbus", "mqtt") for m in meters)
        return (len(meters) - logged, len(meters))

    return max(sites, key=weight)


def _first_steps(ws: WorkspaceAPI, site) -> Overview:
    """A site with no electricity readings yet: what to do first, as cards with buttons."""
    cards = (Card("Data", "none yet", "import meter files, or add a Modbus or MQTT "
                  "connection", action="import"),
             _declared_fuels(ws, site, Card("Cost this month", "—", "")),
             Card("CO2e this month", "—", "counted once there is data and emission factors",
                  action="factors"))
    empty = np.zeros(0)
    return Overview(site.name, "no readings yet", cards, empty, empty, (), (), first_steps=True)


def _latest(ws: WorkspaceAPI, site) -> int | None:
    """The last quarter hour the site's electricity total is known: the earliest of its
    top-level meters' latest readings (a total needs every one of them), so a meter still
    logging never moves the Overview past what the others have; None before any reading."""
    summaries = ws.queries.summaries()
    top = sd.top_level_meters(ws, site, (MeterKind.ELECTRICITY,))
    lasts = [summaries[m.id].last for m in top if m.id in summaries and summaries[m.id].last]
    if not lasts:
        return None
    return int(min(lasts).timestamp() * 1e6) // (900 * 10**6) * 900 * 10**6


def _kwh(ws: WorkspaceAPI, site, start, end) -> tuple[float, float]:
    e = sd.site_energy(ws, site, start, end, kinds=(MeterKind.ELECTRICITY,))
    return float(np.nansum(e.kwh)), float(np.isfinite(e.kwh).mean()) if len(e.kwh) else 0.0


def _compare_card(ws: WorkspaceAPI, site, title, start, end, back_us) -> Card:
    now, _ = _kwh(ws, site, start, end)
    before, cover = _kwh(ws, site, start - back_us, end - back_us)
    return Card(title, f"{now:,.0f} kWh", *_change(now, before, cover, "same hours last week"))


def _month_card(ws: WorkspaceAPI, site, month: sd.Energy, month0: datetime) -> Card:
    prev0 = (month0 - timedelta(days=1)).replace(day=1)
    elapsed = len(month.ts_us) * month.step_s * 1_000_000  # the grid runs month start → now
    now = float(np.nansum(month.kwh))
    before, cover = _kwh(ws, site, to_us(prev0), to_us(prev0) + elapsed)
    return Card("This month", f"{now:,.0f} kWh", *_change(now, before, cover,
                                                           "same days last month"))


def _change(now: float, before: float, cover: float, what: str) -> tuple[str, str]:
    if cover < 0.9 or not before:
        return f"no full data for the {what}", "neutral"
    pct = (now - before) / before * 100
    return f"{pct:+.1f} % against the {what}", "bad" if pct > 5 else "good" if pct < -5 \
        else "neutral"


def _declared_fuels(ws: WorkspaceAPI, site, cost: Card) -> Card:
    """The cost card names a fuel the site was said to use that has no tariff yet — before
    any of its data arrives — and offers the tariff editor."""
    from dataclasses import replace

    from energize_desktop.storage.metadata import SITE_FUELS

    declared = SITE_FUELS.get(ws, str(site.id))
    missing = [f for f in declared if not ledger.tariff_names(ws, f) and f not in cost.detail]
    if not missing:
        return cost
    note = f"no tariff yet for {', '.join(missing)} (a fuel of the site)"
    return replace(cost, detail=f"{cost.detail}; {note}" if cost.detail else note,
                   action="tariffs")


def _money_and_carbon(book: ledger.SiteLedger) -> list[Card]:
    """This month's cost and CO2e over every fuel, from the ledger (a fuel without a tariff or
    factors is named, not counted as zero)."""
    priced = {f: line.cost for f, line in book.fuels.items() if line.cost is not None}
    unpriced = [f for f, line in book.fuels.items() if line.cost is None and line.imported]
    if priced:
        costs = book.costs()
        value = ", ".join(f"{cur} {v:,.0f}" for cur, v in costs.items())
        sub = "; ".join(f"{f} on {c.tariff}" for f, c in priced.items())
        if unpriced:
            sub += f"; {', '.join(unpriced)} not priced (no tariff)"
        cards = [Card("Cost this month", value, sub, action="tariffs" if unpriced else "")]
    else:
        notes = [line.cost_note for line in book.fuels.values() if line.cost_note]
        cards = [Card("Cost this month", "—", notes[0] if notes else "nothing to price",
                      action="tariffs" if notes else "")]
    if book.carbon_kg is not None:
        missing = [f for f, line in book.fuels.items() if line.carbon is None and line.imported]
        sub = "location-based, " + ", ".join(book.fuels) + \
            (f"; {', '.join(missing)} without factors" if missing else "")
        cards.append(Card("CO2e this month", f"{book.carbon_kg / 1000:,.2f} t", sub,
                          action="factors" if missing else ""))
    else:
        cards.append(Card("CO2e this month", "—", ledger.no_factors("any fuel"),
                          action="factors"))
    return cards


def _peak_card(month: sd.Energy) -> Card:
    kw = month.kwh / (month.step_s / 3600)
    if not np.isfinite(kw).any():
        return Card("Peak demand", "—", "no data this month")
    i = int(np.nanargmax(kw))
    when = datetime.fromtimestamp(month.ts_us[i] / 1e6, ZoneInfo(month.tz))
    return Card("Peak demand this month", f"{kw[i]:,.1f} kW",
                f"{month.step_s // 60}-min, {when:%a %d %b %H:%M}")


def _alerts_card(ws: WorkspaceAPI) -> Card:
    from energize_desktop.storage.alerts import AlertStore

    open_alerts = AlertStore(ws).alerts(("open",))
    return Card("Open alerts", str(len(open_alerts)),
                open_alerts[0]["message"][:80] if open_alerts else "none open",
                "bad" if open_alerts else "good")


def _latest_anomalies(ws: WorkspaceAPI, site, count: int = 8) -> tuple[str, ...]:
    from energize_desktop.storage.anomalies import AnomalyStore

    ids = [m.id for m in ws.meters(site)]
    names = {m.id: m.name for m in ws.meters(site)}
    events = AnomalyStore(ws).events(ids, min_severity="warning")
    events.sort(key=lambda e: -e["start_us"])
    return tuple(f"{names[e['meter_id']]}: {e['explanation']}" for e in events[:count])


def _findings(ws: WorkspaceAPI, site, count: int = 5) -> tuple[tuple[str, dict], ...]:
    from energize_desktop.analytics.recommendations import recommend
    from energize_desktop.jobs.evidence import gather

    try:
        evidence, _ = gather(ws, site.id)
    except ValidationError:
        return ()
    out = []
    for f in recommend(evidence)[:count]:
        money = f", {evidence.currency} {f.money_per_year:,.0f}/yr" if f.money_per_year else ""
        out.append((f"{f.title}: {f.kwh_per_year:,.0f} kWh/yr{money} — {f.evidence[0]}",
                    dict(f.chart)))
    return tuple(out)
