"""Placing naive local timestamps on the UTC axis, with the DST edges handled in the open.

The repeated autumn hour is resolved by the data's order: per meter, the first time a local
stamp is seen it is the first (summer-time) occurrence, the second time the later one. A stamp
seen once is taken as the first and reported. A stamp that does not exist (the spring hour the
clocks skip) cannot be placed: its lines are reported and the import stops, since a logger that
writes such times keeps standard time all year and needs a fixed-offset zone instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from energize_desktop.imports.csv_format import ImportFormatError

MAX_LINES_LISTED = 10


@dataclass
class DstReport:
    repeated_resolved: int = 0  # rows placed in the second occurrence of a repeated hour
    ambiguous_once: list[int] = field(default_factory=list)  # lines taken as first occurrence
    nonexistent: list[int] = field(default_factory=list)  # lines in the skipped spring hour

    def lines(self) -> list[str]:
        out = []
        if self.repeated_resolved:
            out.append(f"{self.repeated_resolved} reading(s) in a repeated autumn hour placed "
                       "after the clocks went back (by the order of the data)")
        if self.ambiguous_once:
            out.append(f"{len(self.ambiguous_once)} reading(s) at a local time that occurs twice "
                       "appear once and were taken as the first occurrence (lines "
                       f"{_lines(self.ambiguous_once)})")
        return out


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:MAX_LINES_LISTED])
    return shown + (f" and {len(lines) - MAX_LINES_LISTED} more" if len(lines) > 10 else "")


class Localizer:
    def __init__(self, zone: str, source: str):
        self.zone, self.source = zone, source
        self.report = DstReport()
        self._seen: dict[tuple[str, int], int] = {}  # (meter, local µs) -> times seen
        self._once: dict[tuple[str, int], int] = {}  # ... -> line, while seen only once

    def to_utc_us(self, frame: pl.DataFrame) -> pl.Series:
        """UTC µs for the frame's `ts` column (naive = local in `zone`; aware = as given)."""
        ts = frame["ts"]
        if getattr(ts.dtype, "time_zone", None) is not None:
            return ts.dt.convert_time_zone("UTC").dt.replace_time_zone(None).dt.epoch("us")
        changed = ts.ne_missing(ts.shift(1)).fill_null(True)
        starts = ts.filter(changed)
        run = changed.cast(pl.Int64).cum_sum() - 1
        placed = starts.dt.replace_time_zone(self.zone, ambiguous="earliest",
                                             non_existent="null")
        utc = placed.dt.convert_time_zone("UTC").dt.replace_time_zone(None).dt.epoch("us")
        rows = utc.gather(run).to_numpy().copy()
        self._edges(frame, starts, placed, run, rows)
        return pl.Series("ts", rows)

    def _edges(self, frame, starts, placed, run, rows: np.ndarray) -> None:
        later = starts.dt.replace_time_zone(self.zone, ambiguous="latest", non_existent="null")
        missing = placed.is_null().to_numpy()
        twice = (placed.ne_missing(later)).fill_null(False).to_numpy() & ~missing
        if missing.any():
            index = np.flatnonzero(missing[run.to_numpy()])
            self.report.nonexistent = sorted(set(frame["line"].gather(index).to_list()))
            raise ImportFormatError(
                f"{self.source}: line(s) {_lines(self.report.nonexistent)}: local time "
                f"{starts.filter(pl.Series(missing))[0]} does not exist in {self.zone} (the clocks "
                "skip that hour); if the logger keeps standard time all year, import with the "
                f"fixed-offset zone {fixed_zone(self.zone, starts.filter(pl.Series(missing))[0])}",
                field="tz")
        if not twice.any():
            return
        later_us = later.dt.convert_time_zone("UTC").dt.replace_time_zone(None).dt.epoch("us")
        run_np = run.to_numpy()
        for i in np.flatnonzero(twice[run_np]):
            key = (frame["meter"][int(i)], int(starts.dt.epoch("us")[int(run_np[i])]))
            count = self._seen.get(key, 0) + 1
            self._seen[key] = count
            if count == 1:
                self._once[key] = int(frame["line"][int(i)])
            else:
                self._once.pop(key, None)
                rows[i] = later_us[int(run_np[i])]
                self.report.repeated_resolved += 1

    def finish(self) -> DstReport:
        self.report.ambiguous_once = sorted(self._once.values())
        return self.report


def fixed_zone(zone: str, near: datetime) -> str:
    """The IANA fixed-offset zone of `zone`'s standard time ('Etc/GMT+5 (UTC-5)')."""
    local = near.replace(tzinfo=ZoneInfo(zone)) - timedelta(days=1)
    offset, dst = cast(timedelta, local.utcoffset()), cast(timedelta, local.dst())
    hours = (offset - dst).total_seconds() / 3600
    if hours != int(hours):
        return f"matching UTC{hours:+g} (no IANA name; convert the file first)"
    sign = "-" if hours > 0 else "+"  # POSIX: Etc/GMT-1 is UTC+1
    name = "Etc/GMT" if hours == 0 else f"Etc/GMT{sign}{abs(int(hours))}"
    return f"{name} (UTC{hours:+g})"
