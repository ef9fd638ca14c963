"""Data packages: a zip of Parquet readings and a JSON manifest (sites, meters, units, time
zones, what each column means) that another workspace can import whole — or not at all."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import polars as pl

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.model import Meter, Site

FORMAT = "energize-data-package"
VERSION = 1
_SITE_FIELDS = ("name", "timezone", "address", "latitude", "longitude", "floor_area_m2",
                "building_type")
_METER_FIELDS = ("name", "kind", "unit", "semantics", "interval_s", "max_gap_s", "rollover",
                 "max_power_kw", "calorific_kwh_per_m3")


def write_package(ws, meters, out: Path, start=None, end=None) -> int:
    sites = {m.site_id: ws.site(m.site_id) for m in meters}
    frame = ws.queries.readings([m.id for m in meters], start, end)
    manifest = {
        "format": FORMAT, "version": VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "readings": {"file": "readings.parquet", "rows": frame.height,
                     "columns": {"meter_id": "the id in `meters` below",
                                 "ts": "UTC microseconds since 1970-01-01",
                                 "value": "as the meter reports it, in its unit",
                                 "quality": "0 good, else a quality code"}},
        "sites": [{"id": s.id, **{f: getattr(s, f) for f in _SITE_FIELDS}}
                  for s in sites.values()],
        "meters": [{"id": m.id, "site_id": m.site_id, "parent_id": m.parent_id,
                    **{f: _plain(getattr(m, f)) for f in _METER_FIELDS}} for m in meters],
    }
    buffer = io.BytesIO()
    frame.select(["meter_id", pl.col("ts").cast(pl.Int64), "value", "quality"]) \
        .write_parquet(buffer)
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, indent=1))
        z.writestr("readings.parquet", buffer.getvalue())
    tmp.replace(out)
    return frame.height


def _plain(v):
    return v.value if hasattr(v, "value") else v


def read_package(path: Path) -> tuple[dict, pl.DataFrame]:
    try:
        with zipfile.ZipFile(path) as z:
            manifest = json.loads(z.read("manifest.json"))
            if manifest.get("format") != FORMAT:
                raise ValidationError(f"{path}: not an Energize data package (manifest format "
                                      f"{manifest.get('format')!r})")
            if manifest.get("version", 0) > VERSION:
                raise ValidationError(f"{path}: package version {manifest['version']} is newer "
                                      "than this Energize reads; update Energize")
            frame = pl.read_parquet(io.BytesIO(z.read(manifest["readings"]["file"])))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as exc:
        raise ValidationError(f"{path}: damaged data package ({exc})") from None
    return manifest, frame


def import_package(ws, path: Path) -> dict:
    """Sites and meters created (by name, reusing same-named ones of the same unit), readings
    stored through the writer in one go; returns counts."""
    manifest, frame = read_package(path)
    site_ids = {}
    for s in manifest["sites"]:
        existing = [x for x in ws.sites() if x.name == s["name"]]
        site = existing[0] if existing else ws.add_site(Site(**{f: s[f] for f in _SITE_FIELDS}))
        site_ids[s["id"]] = site.id
    meter_ids = {}
    for m in manifest["meters"]:
        meter_ids[m["id"]] = _meter(ws, m, site_ids[m["site_id"]]).id
    mapped = np.array([meter_ids[int(i)] for i in frame["meter_id"].to_numpy()], np.int32) \
        if frame.height else np.zeros(0, np.int32)
    result = ws.writer().append({"meter_id": mapped, "ts": frame["ts"].to_numpy(),
                                 "value": frame["value"].to_numpy(),
                                 "quality": frame["quality"].to_numpy()})
    return {"sites": len(site_ids), "meters": len(meter_ids), "readings": result.rows}


def _meter(ws, m: dict, site_id: int):
    for existing in ws.meters():
        if existing.name == m["name"] and existing.site_id == site_id:
            if existing.unit != m["unit"]:
                raise ValidationError(f"package meter {m['name']!r} is in {m['unit']}, the "
                                      f"workspace's is in {existing.unit}: not merged")
            return existing
    return ws.add_meter(Meter(**{f: m[f] for f in _METER_FIELDS}, site_id=site_id))
