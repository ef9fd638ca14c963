"""Sites and meters as rows of the workspace, read and written with parameterized SQL."""

from __future__ import annotations

import json
from dataclasses import replace

import pyarrow as pa

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.ids import uuid7
from energize_desktop.core.model import Meter, Site
from energize_desktop.storage.frames import registered

SITE_COLS = ("id", "uid", "name", "address", "latitude", "longitude", "floor_area_m2",
             "timezone", "building_type", "country", "subdivision", "closures")
METER_COLS = ("id", "uid", "site_id", "name", "kind", "unit", "semantics", "interval_s",
              "max_gap_s", "rollover", "max_power_kw", "calorific_kwh_per_m3", "retention_days",
              "parent_id", "source", "role", "enabled", "formula")


_METER_ARROW = pa.schema([
    ("id", pa.int32()), ("uid", pa.string()), ("site_id", pa.int32()), ("name", pa.string()),
    ("kind", pa.string()), ("unit", pa.string()), ("semantics", pa.string()),
    ("interval_s", pa.int32()), ("max_gap_s", pa.int32()), ("rollover", pa.float64()),
    ("max_power_kw", pa.float64()), ("calorific_kwh_per_m3", pa.float64()),
    ("retention_days", pa.int32()), ("parent_id", pa.int32()), ("source", pa.string()),
    ("role", pa.string()), ("enabled", pa.bool_()), ("formula", pa.string())])


def insert_site(cur, site: Site) -> Site:
    if cur.execute("SELECT 1 FROM sites WHERE name = ?", [site.name]).fetchall():
        raise ValidationError(f"site {site.name!r} already exists in this workspace")
    new_id = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM sites").fetchall()[0][0]
    site = replace(site, id=new_id, uid=site.uid or uuid7())
    values = _site_values(site)
    cur.execute(f"INSERT INTO sites ({', '.join(SITE_COLS)}) VALUES "
                f"({', '.join('?' * len(SITE_COLS))})", values)
    return site


def update_site(cur, site: Site) -> None:
    cols = [c for c in SITE_COLS if c not in ("id", "uid")]
    values = dict(zip(SITE_COLS, _site_values(site)))
    cur.execute(f"UPDATE sites SET {', '.join(c + ' = ?' for c in cols)} WHERE id = ?",
                [values[c] for c in cols] + [site.id])


def load_sites(cur) -> list[Site]:
    rows = cur.execute(f"SELECT {', '.join(SITE_COLS)} FROM sites ORDER BY id").fetchall()
    out = []
    for r in rows:
        d = dict(zip(SITE_COLS, r))
        d["closures"] = tuple(json.loads(d["closures"] or "[]"))
        d["country"], d["subdivision"] = d["country"] or "", d["subdivision"] or ""
        out.append(Site(**d))
    return out


def _site_values(site: Site) -> list:
    return [json.dumps(list(site.closures)) if c == "closures" else getattr(site, c)
            for c in SITE_COLS]


def insert_meter(cur, meter: Meter) -> Meter:
    if meter.site_id is None:
        raise ValidationError(f"meter {meter.name!r}: a site is required")
    if not cur.execute("SELECT 1 FROM sites WHERE id = ?", [meter.site_id]).fetchall():
        raise ValidationError(f"meter {meter.name!r}: site id {meter.site_id} does not exist")
    clash = cur.execute("SELECT 1 FROM meters WHERE site_id = ? AND name = ?",
                        [meter.site_id, meter.name]).fetchall()
    if clash:
        raise ValidationError(f"meter {meter.name!r} already exists on this site")
    new_id = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM meters").fetchall()[0][0]
    meter = replace(meter, id=new_id, uid=meter.uid or uuid7())
    cur.execute(f"INSERT INTO meters ({', '.join(METER_COLS)}) VALUES "
                f"({', '.join('?' * len(METER_COLS))})", _meter_values(meter))
    return meter


def insert_meters(cur, meters: list[Meter]) -> list[Meter]:
    """Many meters in a few statements whatever their number (a file or a gateway with
    thousands of channels): one check of their sites and names, one insert."""
    if len(meters) < 8:
        return [insert_meter(cur, m) for m in meters]
    sites = {m.site_id for m in meters}
    if None in sites:
        raise ValidationError(f"meter {next(m.name for m in meters if m.site_id is None)!r}: "
                              "a site is required")
    known = {r[0] for r in cur.execute("SELECT id FROM sites").fetchall()}
    if sites - known:
        missing = sorted(s for s in sites - known if s is not None)
        raise ValidationError(f"site id {missing[0]} does not exist")
    taken = set(cur.execute("SELECT site_id, name FROM meters").fetchall())
    seen: set = set()
    for m in meters:
        if (m.site_id, m.name) in taken or (m.site_id, m.name) in seen:
            raise ValidationError(f"meter {m.name!r} already exists on this site")
        seen.add((m.site_id, m.name))
    first = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM meters").fetchall()[0][0]
    stored = [replace(m, id=first + i, uid=m.uid or uuid7()) for i, m in enumerate(meters)]
    rows = [_meter_values(m) for m in stored]
    table = pa.table({c: [r[i] for r in rows] for i, c in enumerate(METER_COLS)},
                     schema=_METER_ARROW)
    with registered(cur, table, "new_meters") as name:
        cur.execute(f"INSERT INTO meters ({', '.join(METER_COLS)}) SELECT "
                    f"{', '.join(METER_COLS)} FROM {name}")
    return stored


def update_meter(cur, meter: Meter) -> None:
    cols = [c for c in METER_COLS if c not in ("id", "uid")]
    values = dict(zip(METER_COLS, _meter_values(meter)))
    cur.execute(f"UPDATE meters SET {', '.join(c + ' = ?' for c in cols)} WHERE id = ?",
                [values[c] for c in cols] + [meter.id])


def load_meters(cur) -> list[Meter]:
    rows = cur.execute(f"SELECT {', '.join(METER_COLS)} FROM meters ORDER BY id").fetchall()
    meters = []
    for r in rows:
        d = dict(zip(METER_COLS, r))
        d["source"] = json.loads(d["source"] or "{}")
        d["role"] = d["role"] or ""
        d["formula"] = d["formula"] or ""
        d["enabled"] = True if d["enabled"] is None else bool(d["enabled"])
        meters.append(Meter(**d))
    return meters


def _meter_values(meter: Meter) -> list:
    values = []
    for c in METER_COLS:
        v = getattr(meter, c)
        if c == "source":
            v = json.dumps(v or {}, sort_keys=True)
        elif c in ("kind", "semantics"):
            v = str(v)
        values.append(v)
    return values
