"""A CSV file as a source of readings: frames in UTC with channels decided from the first block."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import polars as pl

from energize_desktop.core.model import Semantics
from energize_desktop.imports.channels import ChannelHints, ChannelSpec, decide
from energize_desktop.imports.csv_format import CsvFormat, ImportFormatError
from energize_desktop.imports.csv_read import CsvReader, first_true, meter_name
from energize_desktop.imports.localtime import Localizer

US = 1_000_000


class CsvSource:
    def __init__(self, path: Path, fmt: CsvFormat, zone: str, hints: ChannelHints,
                 default_meter: str | None = None):
        self.path, self.fmt, self.hints = Path(path), fmt, hints
        self.zone = fmt.timezone or zone
        self.label = f"CSV ({fmt.shape})"
        self.notes = list(fmt.notes)
        self.skipped_columns = dict(fmt.skipped)  # column -> why it is not imported
        self.reader = CsvReader(path, fmt, default_meter=default_meter)
        self.localizer = Localizer(self.zone, str(path))
        self.channels: dict[str, ChannelSpec] = {}
        self._units: dict[str, str] = {}
        self.dst_notes: list[str] = []

    def frames(self):
        """Yield (frame, fraction done); frame: line, meter, ts (µs UTC), value, quality."""
        for frame, block in self.reader.frames():
            if self.fmt.shape == "intervals":
                frame = self._place_slots(frame)
            else:
                frame = frame.with_columns(self.localizer.to_utc_us(frame).alias("ts"))
            if "quality" not in frame.columns:
                frame = frame.with_columns(pl.lit(0, pl.UInt8).alias("quality"))
            self._decide_channels(frame)
            self._check_units(frame)
            yield self._interval_starts(frame), block.done_bytes / max(block.total_bytes, 1)
        if self.fmt.shape != "intervals":
            self.dst_notes.extend(self.localizer.finish().lines())

    def _decide_channels(self, frame: pl.DataFrame) -> None:
        """Decide channels not seen before, from their first rows in this block."""
        f = self.fmt
        if self.channels:
            frame = frame.filter(~pl.col("meter").is_in(list(self.channels)))
            if not len(frame):
                return
        units = {}
        if "unit" in frame.columns:
            firsts = frame.group_by("meter", maintain_order=True).agg(pl.col("unit").first())
            units = dict(zip(firsts["meter"].to_list(), firsts["unit"].to_list()))
        columns = ({meter_name(f, c, self.reader.default_meter): c for c in f.value_columns}
                   if f.shape == "wide" else {})
        for name, part in frame.group_by("meter", maintain_order=True):
            name = name[0]
            column = columns.get(name, f.value_column)
            if f.shape == "long" and f.value_columns:  # "<id> – <column>": that column's unit
                column = next((c for c in (f.value_column, *f.value_columns)
                               if c and name.endswith(" – " + meter_name(f, c))), column)
            unit = units.get(name) or f.units.get(column or "")
            ts = part["ts"].to_numpy()
            spec = decide(name, unit, ts, part["value"].to_numpy(), self.hints, str(self.path),
                          column)
            if f.shape == "intervals":
                spec.interval_s = cast(int, f.interval_s)
                if spec.semantics is Semantics.CUMULATIVE and not self.hints.semantics:
                    spec.semantics = Semantics.INTERVAL  # a day of slots holds amounts
                    spec.notes = [f"{name}: interval (one column per interval of the day)"]
            self.channels[name] = spec
            self._units[name] = unit or spec.unit
            self.notes.extend(spec.notes)
        self._same_fuel_as_siblings()

    def _same_fuel_as_siblings(self) -> None:
        """Series split from one meter id ("7MIT… – m³", "7MIT… – kWh") measure one thing: a
        kWh series beside a gas volume is gas energy, not electricity."""
        if not self.fmt.key_columns:
            return
        from energize_desktop.core.model import MeterKind

        by_id: dict[str, list[ChannelSpec]] = {}
        for name, spec in self.channels.items():
            by_id.setdefault(name.split(" – ")[0], []).append(spec)
        for specs in by_id.values():
            kinds = {s.kind for s in specs}
            if MeterKind.GAS in kinds and MeterKind.ELECTRICITY in kinds:
                volume = next(s for s in specs if s.kind is MeterKind.GAS)
                for spec in specs:
                    if spec.kind is MeterKind.ELECTRICITY and not self.hints.kind:
                        spec.kind, spec.role = MeterKind.GAS, "other"
                        spec.notes.append(f"{spec.name}: gas in kWh beside {volume.name!r} — "
                                          "the same gas: kept, not added to the site total "
                                          "again (meter set --role import to count it instead)")
            for spec in specs:  # a direction the register names: export, never a cost
                if any(w in spec.name.lower() for w in ("injection", "feed-in", "feedin",
                                                        "export", "returned", "received",
                                                        "teruglevering")):
                    spec.role = spec.role or "export"

    def _check_units(self, frame: pl.DataFrame) -> None:
        if "unit" not in frame.columns:
            return
        expected = frame["meter"].replace_strict(self._units, return_dtype=pl.Utf8)
        differs = frame["unit"].ne_missing(expected) & frame["unit"].is_not_null()
        if differs.any():
            i = first_true(differs)
            raise ImportFormatError(
                f"{self.path}: line {frame['line'][i]}, column {self.fmt.unit_column!r}: meter "
                f"{frame['meter'][i]!r} was in {expected[i]} earlier in the file, found "
                f"{frame['unit'][i]!r}; split the file or convert the values")

    def _interval_starts(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Interval amounts stamped at their interval's end move to its start."""
        if self.fmt.ts_marks != "end":
            return frame
        shift = {n: (c.interval_s * US if c.semantics is Semantics.INTERVAL else 0)
                 for n, c in self.channels.items()}
        by = frame["meter"].replace_strict(shift, default=0, return_dtype=pl.Int64)
        return frame.with_columns((pl.col("ts") - by).alias("ts"))

    def _place_slots(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Slot k of a day: local midnight (in UTC) + k × interval; slots past a short day's
        end are reported, not stored."""
        interval = cast(int, self.fmt.interval_s) * US
        days = frame["day"]
        start = _midnight_utc(days, self.zone)
        end = _midnight_utc(days.dt.offset_by("1d"), self.zone)
        ts = start + frame["slot"].cast(pl.Int64) * interval
        beyond = (ts >= end) & frame["value"].is_not_null()
        if beyond.any():
            lines = sorted(set(frame["line"].filter(beyond).to_list()))
            self.dst_notes.append(
                f"{int(beyond.sum())} value(s) in interval columns past the end of a short "
                f"(daylight-saving) day were not stored (lines {', '.join(map(str, lines[:10]))})")
        out = frame.with_columns(ts.alias("ts")).filter(ts < end)
        return out.drop("day", "slot")


def _midnight_utc(days: pl.Series, zone: str) -> pl.Series:
    local = days.cast(pl.Datetime("us"))
    placed = local.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    if placed.is_null().any():  # a zone that skips midnight: the day starts at 01:00
        placed = pl.select(pl.coalesce(placed, (local + pl.duration(hours=1)).dt
                                       .replace_time_zone(zone, ambiguous="earliest"))).to_series()
    return placed.dt.convert_time_zone("UTC").dt.replace_time_zone(None).dt.epoch("us")

