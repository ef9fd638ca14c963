"""Virtual meters: a formula over the meters of one site and one unit family ("Main incomer +
Rooftop PV - Grid export", "Main - Lighting - HVAC" for the unmetered rest). The workspace
keeps the terms by uid and computes the meter from their rollups (storage/queries.py), so it is
charted, exported, priced and detected like any meter, and a term missing is the result
missing. It is never added to a site total: its terms are there already.
"""

from __future__ import annotations

import json

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.formula import format_formula, parse_formula
from energize_desktop.core.model import Meter, MeterKind, Semantics
from energize_desktop.core.model import ref as parse_ref
from energize_desktop.storage.api import WorkspaceAPI


def resolve(ws: WorkspaceAPI, site, text: str) -> tuple[str, list[Meter]]:
    """The stored formula (JSON of uid and scale) for `text` on `site`, and its meters."""
    site_meters = ws.meters(site)
    terms, meters = [], []
    for term in parse_formula(text):
        meter = _find(site_meters, term.name, site)
        if meter.formula:
            raise ValidationError(f"{meter.name!r} is itself virtual: write its terms instead",
                                  field="formula")
        if any(m.id == meter.id for m in meters):
            raise ValidationError(f"{meter.name!r} appears twice", field="formula")
        if meter.amount_unit is None:
            raise ValidationError(f"{meter.name!r} measures {meter.unit}, a level that does not "
                                  "add up: a formula sums amounts (kWh, m³)", field="formula")
        terms.append({"uid": meter.uid, "scale": term.scale})
        meters.append(meter)
    units = {m.amount_unit for m in meters}
    if len(units) > 1:
        listed = ", ".join(f"{m.name} ({m.amount_unit})" for m in meters)
        raise ValidationError(f"mixes {' and '.join(sorted(u or '' for u in units))}: {listed}; "
                              "a formula adds meters of one unit", field="formula")
    return json.dumps(terms), meters


def _find(meters: list[Meter], name: str, site) -> Meter:
    wanted = parse_ref(name)
    for m in meters:
        if m.name == name or m.id == wanted:
            return m
    names = ", ".join(m.name for m in meters) or "none"
    raise ValidationError(f"no meter {name!r} on site {site.name} (meters: {names})",
                          field="formula")


def add_virtual(ws: WorkspaceAPI, name: str, text: str, site_ref=None) -> Meter:
    site = ws.site(parse_ref(site_ref) if site_ref is not None else None)
    formula, meters = resolve(ws, site, text)
    fuels = {m.fuel for m in meters}
    kinds = {MeterKind.ELECTRICITY if m.kind is MeterKind.PV else m.kind for m in meters}
    kind = kinds.pop() if len(kinds) == 1 else MeterKind.OTHER
    unit = meters[0].amount_unit if len(fuels) == 1 or kind is MeterKind.OTHER else "kWh"
    return ws.add_meter(Meter(name, kind, unit or "kWh", Semantics.INTERVAL, site_id=site.id,
                              interval_s=max(m.interval_s for m in meters), formula=formula))


def formula_text(ws: WorkspaceAPI, meter: Meter) -> str:
    """The formula as the user would write it, with today's names."""
    if not meter.formula:
        return ""
    by_uid = {m.uid: m.name for m in ws.meters()}
    return format_formula([(float(t["scale"]), by_uid.get(t["uid"], f"<removed {t['uid']}>"))
                           for t in json.loads(meter.formula)])
