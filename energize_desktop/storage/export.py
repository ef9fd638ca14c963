"""Export of raw readings and rollups to CSV and Parquet (a stable interface for scripts).

Columns: timestamp (ISO 8601, UTC), meter, value, unit, quality; rollups add coverage (0..1).
A rollup's value is its amount (kWh, m³...) for additive meters and its mean otherwise; its
quality is 'estimated' when part of it was estimated, 'incomplete' when data is missing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.instants import from_us
from energize_desktop.core.quality import Quality
from energize_desktop.core.rollup import Level
from energize_desktop.core.text import FORMULA_START

FORMATS = ("csv", "parquet", "xlsx")
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header
RESOLUTIONS = ("raw", "15min", "hour", "day", "month")
_QUALITY_NAMES = {int(q): q.name.lower() for q in Quality}


def export(ws, meters, resolution: str, fmt: str, out: Path, start=None, end=None) -> int:
    """Write the series of `meters` to `out`; return the number of rows written."""
    if fmt not in FORMATS:
        raise ValidationError(f"{fmt!r} is not one of {', '.join(FORMATS)}", field="format")
    if resolution not in RESOLUTIONS:
        raise ValidationError(f"{resolution!r} is not one of {', '.join(RESOLUTIONS)}",
                              field="resolution")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if resolution == "raw":
        virtual = [m.name for m in meters if m.formula]
        if virtual:
            raise ValidationError(f"{virtual[0]!r} is a virtual meter: it has no readings of its "
                                  "own; export it at 15min or coarser", field="resolution")
        frame = raw_frame(ws, meters, start, end)
    else:
        frame = rollup_frame(ws, meters, Level.parse(resolution), start, end)
    write_frame(frame, fmt, out)
    return frame.height


def guarded(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a
    carriage return: OWASP's CSV injection advice) get a leading apostrophe, so a meter named
    `=HYPERLINK(...)` is shown, never run. Numeric columns are left alone."""
    texts = [c for c, t in frame.schema.items() if t == pl.Utf8]
    if not texts:
        return frame
    starts = "^[" + "".join("\\" + ch if ch in "-+" else ch for ch in FORMULA_START) + "]"
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(starts)).then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c)).alias(c) for c in texts)


def write_frame(frame: pl.DataFrame, fmt: str, out: Path) -> None:
    """CSV, Parquet or Excel, written beside the target and renamed: never half-written."""
    if fmt == "xlsx" and frame.height > XLSX_MAX_ROWS:
        raise ValidationError(f"{out}: {frame.height:,} rows do not fit an Excel sheet "
                              f"({XLSX_MAX_ROWS + 1:,} rows); export a coarser resolution, a "
                              "shorter period, or use csv/parquet")
    tmp = out.with_name(out.name + ".part")
    if fmt == "csv":
        guarded(frame).write_csv(tmp)
    elif fmt == "parquet":
        frame.write_parquet(tmp)
    else:
        frame.write_excel(tmp, worksheet="readings", autofit=True)
    tmp.replace(out)


def raw_frame(ws, meters, start=None, end=None) -> pl.DataFrame:
    raw = ws.queries.readings([m.id for m in meters], start, end)
    names = pl.DataFrame({"meter_id": [m.id for m in meters], "meter": [m.name for m in meters],
                          "unit": [m.unit for m in meters]},
                         schema={"meter_id": pl.Int32, "meter": pl.String, "unit": pl.String})
    return (raw.join(names, on="meter_id", how="left")
            .select(timestamp=_iso(pl.col("ts")), meter="meter", value="value", unit="unit",
                    quality=pl.col("quality").replace_strict(_QUALITY_NAMES,
                                                             return_dtype=pl.String)))


def rollup_frame(ws, meters, level: Level, start=None, end=None) -> pl.DataFrame:
    parts = []
    for m in meters:
        rows = ws.queries.rollup(level, [m.id], start, end)
        if rows.is_empty():
            continue
        additive = m.amount_unit is not None
        starts = _bucket_starts(ws, m, level, rows["bucket"])
        parts.append(pl.DataFrame({
            "timestamp": pl.Series(starts.astype("datetime64[us]")),
            "meter": m.name,
            "value": rows["amount"] if additive else rows["mean"],
            "unit": m.amount_unit if additive else m.unit,
            "quality": _rollup_quality(rows),
            "coverage": rows["coverage"].round(4),
        }))
    if not parts:
        return pl.DataFrame(schema={"timestamp": pl.String, "meter": pl.String,
                                    "value": pl.Float64, "unit": pl.String,
                                    "quality": pl.String, "coverage": pl.Float64})
    frame = pl.concat(parts)
    return frame.with_columns(timestamp=_iso(pl.col("timestamp")))


def _bucket_starts(ws, meter, level: Level, buckets: pl.Series) -> np.ndarray:
    if not level.keyed_by_date:
        return buckets.dt.cast_time_unit("us").cast(pl.Int64).to_numpy()
    days = buckets.cast(pl.Int32).to_numpy().astype(np.int64)
    return ws.state.calendar_of(meter.id).day_start_utc(days)


def _rollup_quality(rows: pl.DataFrame) -> pl.Series:
    return (rows.select(pl.when(pl.col("estimated_s") > 0).then(pl.lit("estimated"))
                        .when(pl.col("coverage") < 0.999).then(pl.lit("incomplete"))
                        .otherwise(pl.lit("valid")))
            .to_series())


def _iso(col: pl.Expr) -> pl.Expr:
    return col.dt.strftime("%Y-%m-%dT%H:%M:%SZ")





def events_frame(ws, what: str, meters, start=None, end=None) -> pl.DataFrame:
    """Anomalies or alerts of these meters as a table (times in UTC, ISO 8601)."""
    from datetime import timezone

    names = {m.id: m.name for m in meters}
    if what == "anomalies":
        from energize_desktop.storage.anomalies import AnomalyStore

        s = None if start is None else int(start.replace(tzinfo=start.tzinfo or timezone.utc)
                                             .timestamp() * 1e6)
        e = None if end is None else int(end.replace(tzinfo=end.tzinfo or timezone.utc)
                                         .timestamp() * 1e6)
        rows = AnomalyStore(ws).events(list(names), s, e)
        return pl.DataFrame({
            "start": [from_us(r["start_us"]).isoformat() for r in rows],
            "end": [from_us(r["end_us"]).isoformat() for r in rows],
            "meter": [names[r["meter_id"]] for r in rows], "kind": [r["kind"] for r in rows],
            "severity": [r["severity"] for r in rows], "score": [r["score"] for r in rows],
            "explanation": [r["explanation"] for r in rows],
            "detector": [r["detector"] for r in rows]}, schema_overrides={"score": pl.Float64})
    from energize_desktop.storage.alerts import AlertStore

    rows = [a for a in AlertStore(ws).alerts(("open", "acknowledged", "resolved"))
            if a["meter_id"] in names or a["meter_id"] is None]
    return pl.DataFrame({
        "opened": [str(a["opened_at"]) for a in rows],
        "meter": [names.get(a["meter_id"], "") for a in rows],
        "state": [a["state"] for a in rows], "severity": [a["severity"] for a in rows],
        "message": [a["message"] for a in rows]}, schema_overrides={"opened": pl.Utf8})


