"""Data packages: a zip of Parquet readings and a JSON manifest (sites, meters, units, time
zones, what each column means) that another workspace can import whole — or not at all."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import cast

import numpy as np
import polars as pl

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.instants import EARLIEST_US, LATEST_US
from energize_desktop.core.model import Meter, Site
from energize_desktop.core.quality import Quality
from energize_desktop.storage.api import WorkspaceAPI
from energize_desktop.storage.imports import ImportSession
from energize_desktop.storage.package_terms import check_terms, restore_terms, terms_of

FORMAT = "energize-data-package"
VERSION = 2  # 2: virtual meters (formula) and the terms (package_terms.py)
_SITE_FIELDS = ("name", "timezone", "address", "latitude", "longitude", "floor_area_m2",
                "building_type", "country", "subdivision", "closures")
_METER_FIELDS = ("name", "kind", "unit", "semantics", "interval_s", "max_gap_s", "rollover",
                 "max_power_kw", "calorific_kwh_per_m3", "retention_days", "role", "enabled")


def write_package(ws, meters, out: Path, start=None, end=None) -> int:
    sites = {m.site_id: ws.site(m.site_id) for m in meters}
    ids = {m.id for m in meters}
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
        # a parent that is not in the package is left out: its sub-meter stands alone there
        "meters": [{"id": m.id, "site_id": m.site_id,
                    "parent_id": m.parent_id if m.parent_id in ids else None,
                    **({"formula": _formula_out(ws, m, ids)} if m.formula else {}),
                    **{f: _plain(getattr(m, f)) for f in _METER_FIELDS}} for m in meters],
        "terms": terms_of(ws, ids, set(sites)),
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


def _formula_out(ws, meter, ids: set) -> list[dict]:
    """A virtual meter's terms by package id; every term must travel with it."""
    by_uid = {m.uid: m for m in ws.meters()}
    terms = json.loads(meter.formula)
    missing = [by_uid[t["uid"]].name for t in terms if by_uid[t["uid"]].id not in ids]
    if missing:
        raise ValidationError(f"virtual meter {meter.name!r} needs {', '.join(missing)} in the "
                              "package too", field="meter")
    return [{"meter_id": by_uid[t["uid"]].id, "scale": t["scale"]} for t in terms]


def _plain(v):
    return v.value if hasattr(v, "value") else v


# Bounds a package must keep before anything of it is read: a zip bomb is refused from its
# directory, and the readings never need more than about 1 GB of memory.
MAX_MEMBERS = 16
MAX_MANIFEST_BYTES = 16 << 20
MAX_READINGS_BYTES = 512 << 20
MAX_RATIO = 200  # expanded / compressed, for members over 16 MB
MAX_ROWS = 25_000_000
COLUMNS = {"meter_id": pl.Int64, "ts": pl.Int64, "value": pl.Float64, "quality": pl.Int64}


def read_package(path: Path) -> tuple[dict, pl.DataFrame]:
    """The manifest and readings of a package, checked whole (shape, types, references,
    sizes); raises ValidationError naming what is wrong before anything is stored."""
    try:
        with zipfile.ZipFile(path) as z:
            _check_members(path, z)
            manifest = _manifest(path, z.read("manifest.json"))
            frame = _readings(path, z, manifest)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise ValidationError(f"{path}: damaged data package ({exc})") from None
    return manifest, frame


def _check_members(path: Path, z: zipfile.ZipFile) -> None:
    members = z.infolist()
    if len(members) > MAX_MEMBERS:
        raise ValidationError(f"{path}: {len(members)} members; a data package holds a "
                              "manifest and its readings")
    for m in members:
        limit = MAX_MANIFEST_BYTES if m.filename == "manifest.json" else MAX_READINGS_BYTES
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > limit or (m.file_size > 16 << 20 and ratio > MAX_RATIO):
            raise ValidationError(f"{path}: member {m.filename!r} expands to "
                                  f"{m.file_size:,} bytes ({ratio:,.0f}× its stored size); "
                                  f"refused (limit {limit:,} bytes, {MAX_RATIO}×)")


def _manifest(path: Path, raw: bytes) -> dict:
    try:
        manifest = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ValidationError(f"{path}: manifest.json is not JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        got = manifest.get("format") if isinstance(manifest, dict) else None
        raise ValidationError(f"{path}: not an Energize data package (manifest format {got!r})")
    version = manifest.get("version", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationError(f"{path}: manifest version {version!r}: expected a whole number")
    if version > VERSION:
        raise ValidationError(f"{path}: package version {version} is newer than this Energize "
                              "reads; update Energize")
    for key in ("sites", "meters"):
        if not isinstance(manifest.get(key), list) or not all(
                isinstance(x, dict) for x in manifest[key]):
            raise ValidationError(f"{path}: manifest {key!r}: expected a list of objects")
    if not isinstance(manifest.get("readings"), dict) or \
            not isinstance(manifest["readings"].get("file"), str):
        raise ValidationError(f"{path}: manifest 'readings': expected an object with 'file'")
    _check_catalog(path, manifest)
    return manifest


def _check_catalog(path: Path, manifest: dict) -> None:
    """Every site and meter builds (their own checks name the field), ids are unique and
    references point at entries that exist."""
    site_ids = set()
    for i, s in enumerate(manifest["sites"]):
        where = f"{path}: sites[{i}]"
        _build(where, Site, {f: s[f] for f in _SITE_FIELDS if s.get(f) is not None},
               required=("name", "timezone"), given=s)
        site_ids.add(_id(where, s.get("id")))
    meter_ids = {_id(f"{path}: meters[{i}]", m.get("id")) for i, m in
                 enumerate(manifest["meters"])}
    for i, m in enumerate(manifest["meters"]):
        where = f"{path}: meters[{i}]"
        _build(where, Meter, {f: m[f] for f in _METER_FIELDS if m.get(f) is not None},
               required=("name", "kind", "unit", "semantics"), given=m)
        if m.get("site_id") not in site_ids:
            raise ValidationError(f"{where}: site_id {m.get('site_id')!r} is not a site of the "
                                  "package")
        if m.get("parent_id") is not None and m["parent_id"] not in meter_ids:
            raise ValidationError(f"{where}: parent_id {m['parent_id']!r} is not a meter of the "
                                  "package")
        formula = m.get("formula")
        if formula is not None and (not isinstance(formula, list) or not formula or not all(
                isinstance(t, dict) and t.get("meter_id") in meter_ids and
                isinstance(t.get("scale"), (int, float)) for t in formula)):
            raise ValidationError(f"{where}: formula: expected a list of {{meter_id, scale}} of "
                                  "meters in the package")
    check_terms(f"{path}: manifest", manifest.get("terms"), meter_ids, site_ids)


def _build(where: str, cls, fields: dict, required: tuple, given: dict) -> None:
    missing = [f for f in required if given.get(f) in (None, "")]
    if missing:
        raise ValidationError(f"{where}: missing {', '.join(missing)}")
    try:
        cls(**fields)
    except (ValidationError, TypeError, ValueError) as exc:
        raise ValidationError(f"{where} ({given.get('name')!r}): {exc}") from None


def _id(where: str, value) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(f"{where}: id {value!r}: expected a whole number")
    return value


def _readings(path: Path, z: zipfile.ZipFile, manifest: dict) -> pl.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = z.read(manifest["readings"]["file"])
    try:
        meta = pq.read_metadata(pa.BufferReader(data))
        if meta.num_rows > MAX_ROWS:
            raise ValidationError(f"{path}: {meta.num_rows:,} readings in one package; at most "
                                  f"{MAX_ROWS:,} (export it in parts)")
        frame = pl.read_parquet(io.BytesIO(data))
    except (pa.ArrowException, pl.exceptions.PolarsError, OSError) as exc:
        raise ValidationError(f"{path}: the readings are not a Parquet file "
                              f"({str(exc).splitlines()[0]})") from None
    missing = sorted(set(COLUMNS) - set(frame.columns))
    if missing:
        raise ValidationError(f"{path}: readings: missing column(s) {', '.join(missing)}; "
                              f"the file has {', '.join(frame.columns)}")
    try:
        frame = frame.select([pl.col(c).cast(t, strict=True) for c, t in COLUMNS.items()])
    except pl.exceptions.PolarsError as exc:
        raise ValidationError(f"{path}: readings: a column of the wrong type "
                              f"({str(exc).splitlines()[0]}); expected integer meter_id, ts "
                              "(µs), quality and a number value") from None
    _check_rows(path, frame, {m["id"] for m in manifest["meters"]})
    return frame


def _check_rows(path: Path, frame: pl.DataFrame, meter_ids: set) -> None:
    for column in ("meter_id", "ts", "value"):
        nulls = frame[column].null_count()
        if nulls:
            raise ValidationError(f"{path}: readings: {nulls:,} row(s) without {column}")
    unknown = set(frame["meter_id"].unique().to_list()) - meter_ids
    if unknown:
        raise ValidationError(f"{path}: readings of meter id(s) {sorted(unknown)[:5]} that the "
                              "manifest does not list")
    codes = {int(q) for q in Quality}
    bad = set(frame["quality"].fill_null(0).unique().to_list()) - codes
    if bad:
        raise ValidationError(f"{path}: readings: quality code(s) {sorted(bad)[:5]} are not "
                              "Green Button ReadingQuality codes")
    ts = frame["ts"].to_numpy()
    if frame.height and (int(ts.min()) < EARLIEST_US or int(ts.max()) > LATEST_US):
        raise ValidationError(f"{path}: readings: a ts outside 1900-2200 (µs since 1970)")


def import_package(ws: WorkspaceAPI, path: Path) -> dict:
    """Sites and meters created (by name, reusing same-named ones of the same unit), with their
    sub-meter hierarchy, and readings stored, all in one transaction; returns counts. Nothing is
    written unless the whole package has been checked."""
    manifest, frame = read_package(path)
    with ImportSession(ws) as session:
        site_ids = {s["id"]: cast(int, _site(ws, s).id) for s in manifest["sites"]}
        meter_ids = {m["id"]: _meter(ws, m, site_ids[m["site_id"]]).id
                     for m in manifest["meters"]}
        for m in manifest["meters"]:
            if m.get("parent_id") is not None:
                meter = ws.meter(meter_ids[m["id"]])
                ws.update_meter(replace(meter, parent_id=meter_ids[m["parent_id"]]))
        uid_of = {m.id: m.uid for m in ws.meters()}
        for m in manifest["meters"]:
            if m.get("formula"):
                meter = ws.meter(meter_ids[m["id"]])
                terms = [{"uid": uid_of[meter_ids[t["meter_id"]]], "scale": float(t["scale"])}
                         for t in m["formula"]]
                ws.update_meter(replace(meter, formula=json.dumps(terms)))
        restored = restore_terms(ws, manifest.get("terms"), meter_ids, site_ids)
        lookup = np.zeros(max(meter_ids, default=0) + 1, np.int32)
        for old, new in meter_ids.items():
            lookup[old] = new
        outcome = session.append({
            "meter_id": lookup[frame["meter_id"].to_numpy()] if frame.height
            else np.zeros(0, np.int32),
            "ts": frame["ts"].to_numpy(), "value": frame["value"].to_numpy(),
            "quality": frame["quality"].to_numpy().astype(np.uint8)})
    return {"sites": len(site_ids), "meters": len(meter_ids), "readings": outcome.stored,
            "identical": outcome.identical, **restored}


def _site(ws: WorkspaceAPI, s: dict) -> Site:
    for existing in ws.sites():
        if existing.name == s["name"]:
            return existing
    return ws.add_site(Site(**{f: s[f] for f in _SITE_FIELDS if s.get(f) is not None}))


def _meter(ws: WorkspaceAPI, m: dict, site_id: int):
    for existing in ws.meters():
        if existing.name == m["name"] and existing.site_id == site_id:
            if existing.unit != m["unit"]:
                raise ValidationError(f"package meter {m['name']!r} is in {m['unit']}, the "
                                      f"workspace's is in {existing.unit}: not merged")
            return existing
    fields = {f: m[f] for f in _METER_FIELDS if m.get(f) is not None}
    return ws.add_meter(Meter(**fields, site_id=site_id))
