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
    mismatch: list[str] = field(default_factory=list)  # the file's clock changes, unexplained

    def lines(self) -> list[str]:
        out = list(self.mismatch)
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


# Zones whose clock changes a file's own pattern is compared with, when the chosen zone does
# not explain it (a Dutch export read as UTC: its clock goes back at 03:00 CEST on 26 October).
LIKELY_ZONES = ("Europe/London", "Europe/Amsterdam", "Europe/Helsinki", "America/New_York",
                "America/Chicago", "America/Denver", "America/Los_Angeles", "Australia/Sydney",
                "Australia/Adelaide", "Pacific/Auckland", "America/Santiago", "America/Halifax")
HOUR_US = 3_600_000_000


class Localizer:
    def __init__(self, zone: str, source: str):
        self.zone, self.source = zone, source
        self.report = DstReport()
        # local stamps where the file's clock went back an hour or skipped one (µs, naive)
        self._back: set[int] = set()
        self._skip: set[tuple[int, int]] = set()  # (last stamp before, usual step)
        self._seen: dict[tuple[str, int], int] = {}  # (meter, local µs) -> times seen
        self._once: dict[tuple[str, int], int] = {}  # ... -> line, while seen only once

    def to_utc_us(self, frame: pl.DataFrame) -> pl.Series:
        """UTC µs for the frame's `ts` column (naive = local in `zone`; aware = as given)."""
        ts = frame["ts"]
        if getattr(ts.dtype, "time_zone", None) is not None:
            return ts.dt.convert_time_zone("UTC").dt.replace_time_zone(None).dt.epoch("us")
        changed = ts.ne_missing(ts.shift(1)).fill_null(True)
        starts = ts.filter(changed)
        self._clock_changes(starts.dt.epoch("us").to_numpy())
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
                "skip that hour); " + _fits_text(self.fitting_zones(), self.zone) +
                "if the logger keeps standard time all year, import with the fixed-offset zone "
                f"{fixed_zone(self.zone, starts.filter(pl.Series(missing))[0])}", field="tz")
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

    def _clock_changes(self, local_us: np.ndarray) -> None:
        """Where the file's own clock goes back an hour (a stamp an hour or less earlier than
        the one before it) or skips one (a step one hour longer than the usual), at night."""
        if len(local_us) < 3:
            return
        step = np.diff(local_us)
        usual = int(np.median(step))
        if usual <= 0 or usual > HOUR_US:
            return
        hour = (local_us[1:] // HOUR_US) % 24
        night = (hour >= 0) & (hour <= 4)
        back = (step < 0) & (step >= -HOUR_US) & night
        skip = (step == usual + HOUR_US) & night
        self._back.update(int(v) for v in local_us[1:][back][:50])
        self._skip.update((int(v), usual) for v in local_us[:-1][skip][:50])

    def _unexplained(self, zone: str) -> list[tuple[str, int, int]]:
        found = [("back", t, 0) for t in sorted(self._back) if not _goes_back(zone, t)]
        return found + [("skip", t, step) for t, step in sorted(self._skip)
                        if not _skips(zone, t, step)]

    def fitting_zones(self) -> list[str]:
        """Likely zones whose clock changes are the file's own (none when it shows none)."""
        if not self._back and not self._skip:
            return []
        return [z for z in LIKELY_ZONES if not self._unexplained(z)]

    def _check_pattern(self) -> None:
        """The file's clock changes against the zone's: a change the zone does not make means
        the times are another zone's local time; the zones that would explain it are named."""
        unexplained = self._unexplained(self.zone)
        if not unexplained:
            return
        fits = [z for z in self.fitting_zones() if z != self.zone]
        seen = "; ".join(
            f"{'goes back an hour to' if kind == 'back' else 'skips the hour after'} "
            f"{_naive(t):%Y-%m-%d %H:%M}" for kind, t, _ in unexplained[:4])
        self.report.mismatch.append(
            f"the file's clock {seen}, which {self.zone} does not do: the times may be another "
            "zone's local time" + (f" ({', '.join(fits[:3])} would fit; import with --tz)"
                                   if fits else " (import with --tz to name it)"))

    def finish(self) -> DstReport:
        self.report.ambiguous_once = sorted(self._once.values())
        self._check_pattern()
        return self.report


def _fits_text(fits: list[str], zone: str) -> str:
    fits = [z for z in fits if z != zone]
    return (f"the file's own clock changes are those of {', '.join(fits[:3])} (import with "
            "--tz); ") if fits else ""


def _naive(local_us: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(microseconds=local_us)


def _goes_back(zone: str, local_us: int) -> bool:
    """Does local time `local_us` (the stamp the clock went back to) occur twice in `zone`?"""
    local = _naive(local_us).replace(tzinfo=ZoneInfo(zone))
    return local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset()


def _skips(zone: str, local_us: int, step_us: int) -> bool:
    """Does `zone` skip exactly the stamps a file stepping `step_us` left out after
    `local_us` (an hour of them), while the stamps either side exist?"""
    def exists(us: int) -> bool:
        local = _naive(us).replace(tzinfo=ZoneInfo(zone))
        return local.astimezone(ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).replace(
            tzinfo=None) == local.replace(tzinfo=None)

    left_out = range(local_us + step_us, local_us + step_us + HOUR_US, step_us)
    return exists(local_us) and exists(local_us + step_us + HOUR_US) and \
        all(not exists(us) for us in left_out)
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
