"""Importing files into a workspace: detect the format, read, check, and store in one transaction.

`import_file` is the library API behind `energize import` and the interface's import wizard.
Each file is its own transaction: if anything in it is wrong, nothing of it is stored.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import polars as pl

from energize_desktop.core.errors import EnergizeError
from energize_desktop.core.instants import EARLIEST_US, LATEST_US
from energize_desktop.core.model import Meter, Semantics, Site
from energize_desktop.core.ordering import sort_order
from energize_desktop.core.prefetch import prefetch
from energize_desktop.core.timezones import computer_zone
from energize_desktop.core.units import (
    convert,
    implausible,
    parse_unit,
    plausibility_error,
)
from energize_desktop.imports import memory
from energize_desktop.imports.base import FileSource
from energize_desktop.imports.channels import ChannelHints, ChannelSpec
from energize_desktop.imports.csv_format import ImportFormatError
from energize_desktop.imports.sources import open_source
from energize_desktop.imports.summary import ChannelStats, FileReport, iso
from energize_desktop.jobs import import_profiles
from energize_desktop.storage.api import WorkspaceAPI
from energize_desktop.storage.imports import (
    ImportConflictError,
    ImportSession,
    OnConflict,
)

log = logging.getLogger("energize.import")


@dataclass
class ImportOptions:
    site: str | int | None = None
    meter: str | None = None  # name of the one channel to import (or of a single-channel file)
    profile: str | None = None
    tz: str | None = None  # zone of naive timestamps (default: the site's)
    dry_run: bool = False
    on_conflict: str = "abort"
    date_order: str | None = None  # DMY, MDY or a strptime format
    ts_marks: str | None = None  # start or end
    decimal: str | None = None
    # "shift": a feed that gives the two readings of the repeated autumn hour one UTC time (a
    # known utility bug) has the one beside an empty hour moved into it
    repeated_hour: str | None = None
    hints: ChannelHints = field(default_factory=ChannelHints)


def import_file(ws: WorkspaceAPI, path, options: ImportOptions, progress=None) -> FileReport:
    """Import one file; raise (with nothing stored) on any error. `progress(fraction, text)`.

    Every failure is an EnergizeError naming the file: one a reader did not foresee is wrapped
    (its traceback logged) rather than reaching the user as a traceback."""
    path = Path(path)
    if not path.is_file():
        raise ImportFormatError(f"{path}: no such file")
    try:
        return _import_file(ws, path, options, progress)
    except (EnergizeError, KeyboardInterrupt, MemoryError):
        raise
    except Exception as exc:  # the transaction is rolled back by then
        log.error("%s: unforeseen %s", path, type(exc).__name__, exc_info=True)
        raise ImportFormatError(f"{path}: cannot be read ({type(exc).__name__}: "
                                f"{str(exc)[:200]})") from None


def _import_file(ws: WorkspaceAPI, path: Path, options: ImportOptions, progress) -> FileReport:
    started = time.perf_counter()
    site, create = _site(ws, options)
    profile = import_profiles.load(ws, options.profile) if options.profile else ({}, False)
    source = open_source(path, options, site.timezone, profile)
    hint = getattr(source, "zone_hint", None)
    zone_note = None
    if create and not options.tz:
        if hint:  # what the file proves: Green Button LocalTimeParameters, NEM12 market time
            site = Site(site.name, hint)
            zone_note = f"new site {site.name!r} in {hint}: the file's own time (--tz to choose)"
        else:
            zone_note = (f"new site {site.name!r} in {site.timezone}: this computer's zone "
                         "(--tz to choose another)")
    report = FileReport(str(path), source.label, options.dry_run)
    run = _Run(ws, site, source, report, options)
    if options.dry_run:
        run.read(progress)
    else:
        with ImportSession(ws, OnConflict(options.on_conflict)) as session:
            run.session = session
            if create:
                run.site = ws.add_site(site)
            run.read(progress)
            if progress:  # the last moment a cancel can still roll the whole file back
                progress(1.0, f"{path.name}: committing")
        out = session.outcome
        report.stored, report.identical = out.stored, out.identical
        report.kept, report.replaced = out.kept, out.replaced
    report.notes = ([zone_note] if zone_note else []) + source.notes + report.notes
    report.dst = list(source.dst_notes)
    report.skipped = dict(getattr(source, "skipped_columns", {}))
    report.seconds = time.perf_counter() - started
    if progress:
        progress(1.0, f"{path.name}: done")
    return report


def _site(ws: WorkspaceAPI, options: ImportOptions) -> tuple[Site, bool]:
    """The site to import into, and whether it must be created (inside the transaction)."""
    sites = ws.sites()
    wanted = options.site
    if wanted is None and len(sites) != 1:
        if sites:
            return ws.site(None), False  # raises: several sites, name one
        return Site("Site", options.tz or computer_zone()), True
    if wanted is not None and not any(str(wanted) in (s.name, str(s.id)) for s in sites):
        zone = options.tz or (sites[0].timezone if sites else computer_zone())
        return Site(str(wanted), zone), True
    return ws.site(wanted), False


class _Run:
    """One file's pass: channels to meters, rows to sorted arrays, counts, and the writes."""

    def __init__(self, ws: WorkspaceAPI, site: Site, source: FileSource, report: FileReport,
                 options: ImportOptions):
        self.ws, self.site, self.source, self.report = ws, site, source, report
        self.options = options
        self.session = None
        self.policy = OnConflict(options.on_conflict)
        self.index: dict[str, int] = {}  # channel name -> dense index in this run
        self.ids: list[int] = []  # dense index -> meter id (-1 in a dry run for new meters)
        self.scale: list[tuple[float, float]] = []
        self._by_name: dict[str, Meter] | None = None  # the site's meters, looked up once

    def read(self, progress) -> None:
        any_rows = False
        for frame, fraction in prefetch(self.source.frames()):
            any_rows |= self._frame(frame)
            del frame
            memory.release()
            if progress:
                progress(fraction, f"{self.report.path}: {self.report.rows:,} readings read")

        if self.options.meter and self.options.meter not in self.index and \
                len(self.source.channels) > 1:
            raise ImportFormatError(f"{self.options.meter!r}: not a series of the file; it has "
                                    f"{', '.join(self.source.channels)}", field="meter")
        if not any_rows:
            raise ImportFormatError(f"{self.report.path}: no readings found in the file")

    # -- channels to meters ---------------------------------------------------------------------
    def _channels(self, names: list[str]) -> dict[str, int]:
        """Channel index of each name (-1: not imported); the meters a block brings are found
        by name in one lookup and created in one transaction, so a file of 20,000 meters is
        as quick per meter as a file of ten."""
        specs, wanted = self.source.channels, self.options.meter
        fresh = [n for n in names if n not in self.index
                 and not (wanted and len(specs) > 1 and n != wanted)]
        if fresh:
            existing = self._existing()
            metered = [(n, self._meter_for(specs[n], wanted if wanted and len(specs) == 1
                                           else n, existing)) for n in fresh]
            new = [m for _, (m, is_new) in metered if is_new]
            stored = iter(self.session.add_meters(new) if new and self.session else new)
            for name, (meter, is_new) in metered:
                self._register(name, next(stored) if is_new else meter, is_new)
        return {n: self.index.get(n, -1) for n in names}

    def _existing(self) -> dict[str, Meter]:
        if self._by_name is None:
            self._by_name = {m.name: m for m in self.ws.meters(self.site)} \
                if self.site.id is not None else {}
        return self._by_name

    def _meter_for(self, spec: ChannelSpec, name: str, existing) -> tuple[Meter, bool]:
        if name in existing:
            _check_compatible(self.report.path, existing[name], spec)
            return existing[name], False
        return Meter(name, spec.kind, spec.unit, spec.semantics, site_id=self.site.id,
                     interval_s=spec.interval_s, source={"import": Path(self.report.path).name,
                                                         **spec.source}, role=spec.role), True

    def _register(self, name: str, meter: Meter, new: bool) -> None:
        spec = self.source.channels[name]
        self._existing()[meter.name] = meter
        self.index[name] = len(self.ids)
        self.ids.append(meter.id if meter.id is not None else -1)
        self.scale.append(_scale(spec.unit, meter.unit))
        self.report.channels[name] = ChannelStats(
            meter.name, meter.unit, str(meter.kind), str(meter.semantics), meter.interval_s,
            meter.id, new)

    # -- rows -----------------------------------------------------------------------------------
    def _frame(self, frame) -> bool:
        names = frame["meter"].unique(maintain_order=True).to_list()
        mapping = self._channels(names)
        ch = frame["meter"].replace_strict(mapping, return_dtype=pl.Int32).to_numpy()
        ts = frame["ts"].to_numpy()
        value = frame["value"].to_numpy().astype(np.float64, copy=False)
        quality = frame["quality"].to_numpy()
        line = frame["line"].to_numpy() if "line" in frame.columns else np.zeros(len(ch), np.int64)
        keep = ch >= 0
        if not keep.all():
            ch, ts, value, quality, line = (a[keep] for a in (ch, ts, value, quality, line))
        value = self._convert(ch, value)
        self._check_plausible(ch, ts, value, line)
        empty = ~np.isfinite(value)
        if empty.any():
            for i, n in zip(*np.unique(ch[empty], return_counts=True)):
                self._stats(int(i)).empty += int(n)
            ok = ~empty
            ch, ts, value, quality, line = (a[ok] for a in (ch, ts, value, quality, line))
        if not len(ch):
            return False
        ch, ts, value, quality, line = _sorted(ch, ts, value, quality, line)
        ch, ts, value, quality = self._duplicates(ch, ts, value, quality, line)
        self._observe(ch, ts, value)
        if self.session is not None:
            ids = np.asarray(self.ids, np.int32)
            self.session.append({"meter_id": ids[ch], "ts": ts, "value": value,
                                 "quality": quality})
        return True

    def _check_plausible(self, ch, ts, value, line) -> None:
        """A value no meter reports (±inf, 1e308 kWh) or a time before 1900 or after 2200 is
        an error naming its line, never stored (an empty cell, NaN, is a gap)."""
        early, late = ts < EARLIEST_US, ts > LATEST_US
        if (early | late).any():
            j = int(np.flatnonzero(early | late)[0])
            raise ImportFormatError(f"{self.report.path}: {_where(line[j])}time {_year(ts[j])} "
                                    "is not between 1900 and 2200")
        stats = list(self.report.channels.values())
        for i in np.unique(ch):
            rows = np.flatnonzero(ch == i)
            v = value[rows]
            bad = np.isinf(v) | (np.isfinite(v) & implausible(v, stats[int(i)].unit))
            if bad.any():
                j = rows[int(np.flatnonzero(bad)[0])]
                raise ImportFormatError(
                    f"{self.report.path}: {_where(line[j])}{stats[int(i)].name}: "
                    f"{plausibility_error(float(value[j]), stats[int(i)].unit)}")

    def _stats(self, i: int) -> ChannelStats:
        return list(self.report.channels.values())[i]

    def _convert(self, ch, value):
        if all(s == (1.0, 0.0) for s in self.scale):
            return value
        scale = np.array([s[0] for s in self.scale])
        offset = np.array([s[1] for s in self.scale])
        return value * scale[ch] + offset[ch]

    def _duplicates(self, ch, ts, value, quality, line):
        same = (ch[1:] == ch[:-1]) & (ts[1:] == ts[:-1])
        if not same.any():
            return ch, ts, value, quality
        pos = np.flatnonzero(same)  # pos and pos + 1 share a timestamp
        differ = pos[value[pos] != value[pos + 1]]
        if len(differ) and self.options.repeated_hour == "shift":
            ts, moved = _shift_repeated(ch, ts, differ)
            if moved:
                self.report.notes.append(
                    f"{moved} reading(s) given the UTC time of the other reading of their "
                    "repeated autumn hour moved to the empty hour beside it (as chosen)")
                ch, ts, value, quality, line = _sorted(ch, ts, value, quality, line)
                return self._duplicates(ch, ts, value, quality, line)
        for i, n in zip(*np.unique(ch[pos], return_counts=True)):
            self._stats(int(i)).duplicates += int(n)
        if len(differ):
            for i, n in zip(*np.unique(ch[differ], return_counts=True)):
                self._stats(int(i)).file_conflicts += int(n)
            if self.policy is OnConflict.ABORT:
                j = differ[0]
                where = (f"lines {line[j]} and {line[j + 1]}" if line[j] else
                         f"{self._stats(int(ch[j])).name} at {iso(ts[j])} UTC")
                bug = _repeated_hour_bug(ch, ts, differ, self.site.timezone)
                raise ImportConflictError(
                    f"{self.report.path}: {where}: the same meter and "
                    f"time with different values ({value[j]:g} and {value[j + 1]:g}); "
                    f"{len(differ)} such pair(s). " + (
                        f"All {bug}: a known export bug gives the repeated hour's two readings "
                        "one UTC time. Choose to shift each into the empty hour beside it, "
                        "or to keep the first value or replace it with the last" if bug else
                        "Choose to keep the first value or replace it with the last"),
                    field="repeated_hour" if bug else "on_conflict")
        drop = pos + 1 if self.policy is OnConflict.KEEP else pos
        keep = np.ones(len(ch), bool)
        keep[drop] = False
        return ch[keep], ts[keep], value[keep], quality[keep]

    def _observe(self, ch, ts, value) -> None:
        bounds = np.flatnonzero(np.diff(ch)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(ch)]):
            stats = self._stats(int(ch[lo]))
            stats.observe(ts[lo:hi], value[lo:hi], stats.semantics == Semantics.INTERVAL)


HOUR_US = 3_600_000_000


def _empty_beside(ch, ts, differ) -> tuple[np.ndarray, np.ndarray]:
    """For each pair (differ, differ + 1): is the hour before / after its time empty?"""
    present = set(zip(ch.tolist(), ts.tolist()))
    before = np.array([(int(ch[j]), int(ts[j]) - HOUR_US) not in present for j in differ])
    after = np.array([(int(ch[j]), int(ts[j]) + HOUR_US) not in present for j in differ])
    return before, after


def _shift_repeated(ch, ts, differ) -> tuple[np.ndarray, int]:
    """Move the first of a pair an hour earlier, or the second an hour later, where that hour
    is empty (the clock-change bug's missing hour)."""
    before, after = _empty_beside(ch, ts, differ)
    ts = ts.copy()
    ts[differ[before]] -= HOUR_US
    later = differ[~before & after] + 1
    ts[later] += HOUR_US
    return ts, int(before.sum() + len(later))


def _repeated_hour_bug(ch, ts, differ, zone: str) -> str:
    """'on 2025-11-02, when the clocks go back in America/New_York, each beside an empty
    hour' when every differing pair is that bug's; else ''."""
    from zoneinfo import ZoneInfo

    before, after = _empty_beside(ch, ts, differ)
    if not (before | after).all():
        return ""
    tz = ZoneInfo(zone)
    days = set()
    for t in ts[differ]:
        moment = datetime.fromtimestamp(int(t) / 1e6, timezone.utc)
        near = [moment + timedelta(hours=h) for h in (-2, -1, 0, 1, 2)]
        offsets = {n.astimezone(tz).utcoffset() for n in near}
        falls = len(offsets) > 1 and (near[0].astimezone(tz).utcoffset() >
                                      near[-1].astimezone(tz).utcoffset())
        if not falls:
            return ""
        days.add(moment.astimezone(tz).date().isoformat())
    return (f"on {', '.join(sorted(days))}, when the clocks go back in {zone}, each beside an "
            "empty hour")


def _scale(file_unit: str, meter_unit: str) -> tuple[float, float]:
    if parse_unit(file_unit).symbol == parse_unit(meter_unit).symbol:
        return 1.0, 0.0
    zero = float(convert(0.0, file_unit, meter_unit))
    return float(convert(1.0, file_unit, meter_unit)) - zero, zero


def _check_compatible(path: str, meter: Meter, spec: ChannelSpec) -> None:
    if parse_unit(meter.unit).dimension != parse_unit(spec.unit).dimension:
        raise ImportFormatError(f"{path}: meter {meter.name!r} is in {meter.unit}; the file gives "
                                f"{spec.unit}, which cannot be converted")


def _sorted(ch, ts, value, quality, line):
    order = sort_order(ch, ts)
    if order is None:
        return ch, ts, value, quality, line
    return ch[order], ts[order], value[order], quality[order], line[order]




def _where(line) -> str:
    return f"line {int(line)}: " if line else ""


def _year(ts_us) -> str:
    """The year of an instant far outside what datetime can hold."""
    return f"in the year {1970 + int(ts_us) // 31_556_952_000_000}"
