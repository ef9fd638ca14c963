"""What a workspace holds: sites, meters, ranges, counts and gaps, as plain data (`energize info`)."""

from __future__ import annotations

from datetime import datetime

from energize_desktop.core.units import m2_to_ft2
from energize_desktop.jobs.virtual import formula_text
from energize_desktop.storage.api import WorkspaceAPI

MAX_GAPS_LISTED = 20


def workspace_info(ws: WorkspaceAPI) -> dict:
    summaries = ws.queries.summaries()
    return {
        "workspace": str(getattr(ws, "shown_as", ws.path)),
        "schema_version": ws.schema_version,
        "size_bytes": ws.path.stat().st_size,
        "sites": [_site(ws, s, summaries) for s in ws.sites()],
    }


def _site(ws: WorkspaceAPI, site, summaries) -> dict:
    return {
        "id": site.id, "uid": site.uid, "name": site.name, "timezone": site.timezone,
        "address": site.address, "latitude": site.latitude, "longitude": site.longitude,
        "floor_area_m2": site.floor_area_m2,
        "floor_area_ft2": round(m2_to_ft2(site.floor_area_m2)) if site.floor_area_m2 else None,
        "building_type": site.building_type,
        "meters": [_meter(ws, m, summaries.get(m.id)) for m in ws.meters(site)],
    }


def _meter(ws: WorkspaceAPI, meter, summary) -> dict:
    count, gaps = ws.queries.gaps(meter.id, MAX_GAPS_LISTED) if summary else (0, [])
    return {
        "id": meter.id, "uid": meter.uid, "name": meter.name, "kind": str(meter.kind),
        "unit": meter.unit, "semantics": str(meter.semantics), "interval_s": meter.interval_s,
        "amount_unit": meter.amount_unit,
        "first": _iso(summary.first) if summary else None,
        "last": _iso(summary.last) if summary else None,
        "readings": summary.count if summary else 0,
        "gap_count": count,
        "gaps": [{"start": _iso(g.start), "end": _iso(g.end), "hours": round(g.hours, 2)}
                 for g in gaps],
        "role": meter.effective_role.value, "fuel": meter.fuel, "enabled": meter.enabled,
        "parent_id": meter.parent_id, "formula": formula_text(ws, meter) or None,
    }


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")
