"""The audit report of one site and period, built from the analytics as plain data.

A section whose data is missing says so (a Note) instead of failing or showing zeros: a
workspace with no tariff gets "no tariff kept", a period without detection "not run".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.model import MeterKind, ref
from energize_desktop.core.periods import period as parse_period
from energize_desktop.jobs import energy as sd
from energize_desktop.jobs.ledger import site_ledger
from energize_desktop.reports import alarms
from energize_desktop.reports import sections as sec
from energize_desktop.reports.model import SECTIONS, Report, Section
from energize_desktop.storage.api import WorkspaceAPI


@dataclass(frozen=True)
class Template:
    sections: tuple[str, ...] = SECTIONS
    organisation: str = ""
    author: str = ""
    logo_path: str | None = None
    paper: str = "A4"  # or Letter
    baseline_period: str | None = None  # FROM..TO before a change: savings for the report period
    strings: dict = field(default_factory=dict)  # title overrides: language-ready

    def title(self, key: str, default: str) -> str:
        return self.strings.get(key, default)


TITLES = {"summary": "Executive summary", "breakdown": "Consumption breakdown",
          "charts": "Charts", "anomalies": "Anomalies and alerts",
          "baseline": "Baseline and savings (IPMVP option C)",
          "recommendations": "Recommendations", "quality": "Data quality",
          "methodology": "Methodology and sources"}


@dataclass
class Context:
    """What the sections share, read once."""

    ws: object
    site: object
    start_us: int
    end_us: int
    tz: str
    elec: sd.Energy | None
    fuels: list  # sd.Energy per fuel (electricity, gas, heat) with data
    progress: object = None
    baseline_period: str | None = None
    ledger: object = None  # jobs.ledger.SiteLedger of the period: every figure comes from it
    clip_note: str = ""
    cache: dict = field(default_factory=dict)  # what two sections share, computed once


def build_report(ws: WorkspaceAPI, site_ref=None, period: str | None = None, template: Template = Template(),
                 progress=None) -> Report:
    """`period` FROM..TO (site-local, TO exclusive), YYYY-MM or YYYY; default: all data."""
    unknown = [s for s in template.sections if s not in SECTIONS]
    if unknown:
        raise ValidationError(f"report sections {', '.join(unknown)}: not known; choose from "
                              f"{', '.join(SECTIONS)}")
    site = ws.site(ref(site_ref) if site_ref else None)
    start, end = parse_period(period, site.timezone) if period else \
        _data_span(ws, site)
    start, end, clip_note = _clipped(ws, site, start, end)
    ctx = Context(ws, site, start, end, site.timezone, _electricity(ws, site, start, end),
                  _fuels(ws, site, start, end), progress)
    ctx.ledger, ctx.clip_note = site_ledger(ws, site, start, end), clip_note
    zone = ZoneInfo(site.timezone)
    label = (f"{datetime.fromtimestamp(start / 1e6, zone):%d %b %Y} – "
             f"{datetime.fromtimestamp(end / 1e6, zone):%d %b %Y} (end exclusive)")
    report = Report(title=template.title("title", "Energy audit report"), site=site.name,
                    period=label, author=template.author, organisation=template.organisation,
                    created=datetime.now(timezone.utc).strftime("%d %b %Y %H:%M UTC"),
                    paper=template.paper, logo=_logo(template.logo_path))
    ctx.baseline_period = template.baseline_period
    builders = {"summary": sec.summary, "breakdown": sec.breakdown, "charts": sec.charts,
                "anomalies": alarms.anomalies, "baseline": sec.baseline,
                "recommendations": sec.recommendations, "quality": sec.quality,
                "methodology": sec.methodology}
    wanted = [k for k in SECTIONS if k in template.sections]
    for i, key in enumerate(wanted):
        if progress:
            progress(i, len(wanted), TITLES[key])
        section = Section(key, template.title(key, TITLES[key]))
        try:
            section.blocks = builders[key](ctx)
        except ValidationError as exc:  # the data this section needs is missing: say so
            section.blocks = [sec.Note(f"Not available: {exc}")]
        report.sections.append(section)
    if progress:
        progress(len(wanted), len(wanted), "done")
    return report


def _logo(path: str | None) -> tuple[str, bytes] | None:
    """(mime type, bytes) of the organisation's logo: PNG, JPEG or SVG."""
    if not path:
        return None
    from pathlib import Path

    types = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
             ".svg": "image/svg+xml"}
    kind = types.get(Path(path).suffix.lower())
    if kind is None:
        raise ValidationError(f"logo {path}: expected a .png, .jpg or .svg file")
    try:
        return kind, Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError(f"logo {path}: cannot read ({exc.strerror})") from None


def _data_span(ws: WorkspaceAPI, site) -> tuple[int, int]:
    summaries = ws.queries.summaries()
    spans = [(summaries[m.id].first, summaries[m.id].last) for m in ws.meters(site)
             if m.id in summaries and summaries[m.id].first]
    if not spans:
        raise ValidationError(f"site {site.name}: no readings to report on")
    first = min(a for a, _ in spans).timestamp()
    last = max(b for _, b in spans).timestamp()
    zone = ZoneInfo(site.timezone)
    start = datetime.fromtimestamp(first, zone).replace(hour=0, minute=0, second=0,
                                                        microsecond=0)
    end = datetime.fromtimestamp(last, zone).replace(hour=0, minute=0, second=0,
                                                     microsecond=0)
    return int(start.timestamp() * 1e6), int(end.timestamp() * 1e6) + 86_400_000_000


def _clipped(ws: WorkspaceAPI, site, start: int, end: int) -> tuple[int, int, str]:
    """A period that runs past the data is clipped to it (whole local days), and says so."""
    try:
        first, last = _data_span(ws, site)
    except ValidationError:
        return start, end, ""
    a, b = max(start, first), min(end, last)
    if (a, b) == (start, end) or a >= b:
        return start, end, ""
    zone = ZoneInfo(site.timezone)
    return a, b, (f"The period asked for runs past the data: it is clipped to "
                  f"{datetime.fromtimestamp(a / 1e6, zone):%d %b %Y} – "
                  f"{datetime.fromtimestamp(b / 1e6, zone):%d %b %Y}.")


def _electricity(ws: WorkspaceAPI, site, start, end):
    try:
        return sd.site_energy(ws, site, start, end, kinds=(MeterKind.ELECTRICITY,))
    except ValidationError:
        return None


def _fuels(ws: WorkspaceAPI, site, start, end) -> list:
    try:
        return [e for e in sd.site_energy_by_fuel(ws, site, start, end)
                if np.isfinite(e.kwh).any()]
    except ValidationError:
        return []
