"""Which reader a file needs: a registry of readers, each with a label, a `detect(sample)` score
(0: not this format, 1: certainly) and how to open a file, as picard's format registry has it.
The highest score wins; CSV, which reads almost anything, scores low and is the fallback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from energize_desktop.imports import profiles
from energize_desktop.imports.base import FileSource, Sample
from energize_desktop.imports.csv_format import CsvFormat
from energize_desktop.imports.csv_source import CsvSource
from energize_desktop.imports.sniff import sniff
from energize_desktop.imports.timeformats import apply_date_order

Profile = tuple[dict, bool]  # (fields, complete) of an import profile


@dataclass(frozen=True)
class Reader:
    kind: str
    label: str
    detect: Callable[[Sample], float]
    open: Callable[[Path, object, str, Profile], FileSource]  # path, options, zone, profile


def _green_button(path, options, zone, profile) -> FileSource:
    from energize_desktop.imports.greenbutton import GreenButtonSource

    return GreenButtonSource(path)


def _headerless_nem12(sample) -> bool:
    """A distributor download that starts at its 200 record (no 100 header): a 200 with the
    NMI, its nine fields, and 300 interval records after it."""
    first = sample.first.split(",")
    return len(first) >= 9 and first[0] == "200" and any(
        ln.startswith("300,") for ln in sample.lines[1:20])


def _nem12(path, options, zone, profile) -> FileSource:
    from energize_desktop.imports.nem12 import Nem12Source

    return Nem12Source(path)


def _weather(kind: str):
    def open_weather(path, options, zone, profile) -> FileSource:
        from energize_desktop.imports.weather_files import WeatherSource

        return WeatherSource(path, kind)

    return open_weather


def _blocked(path, options, zone, profile) -> FileSource:
    from energize_desktop.imports.blocked_csv import BlockedCsvSource

    return BlockedCsvSource(path, options.tz or zone, options.hints, options.meter)


def _looks_blocked(sample) -> float:
    from energize_desktop.imports.blocked_csv import looks_blocked

    return 0.5 if looks_blocked(sample) else 0.0


def _csv(path, options, zone, profile) -> FileSource:
    return CsvSource(path, csv_format(path, options, profile), options.tz or zone,
                     options.hints, default_meter=options.meter)


READERS: tuple[Reader, ...] = (
    Reader("greenbutton", "Green Button (ESPI) XML",
           lambda s: 1.0 if s.first.startswith("<") else 0.0, _green_button),
    Reader("nem12", "AU NEM12 interval data",
           lambda s: 1.0 if s.first.startswith(("100,NEM12", "100,NEM13")) else
           0.9 if _headerless_nem12(s) else 0.0, _nem12),
    Reader("epw", "EnergyPlus EPW weather",
           lambda s: 1.0 if s.first.upper().startswith("LOCATION,")
           and s.path.suffix.lower() == ".epw" else 0.0, _weather("epw")),
    Reader("tmy3", "NREL TMY3 weather",
           lambda s: 1.0 if len(s.lines) > 1
           and s.lines[1].lower().startswith("date (mm/dd/yyyy)") else 0.0, _weather("tmy3")),
    Reader("blocked-csv", "CSV report (several blocks)", _looks_blocked, _blocked),
    Reader("csv", "CSV (sniffed)", lambda s: 0.1, _csv),
)


def reader_for(path: Path) -> Reader:
    sample = Sample.of(path)
    return max(READERS, key=lambda r: r.detect(sample))  # the first of equal scores wins


def detect_kind(path: Path) -> str:
    return reader_for(path).kind


def open_source(path: Path, options, zone: str, profile: Profile = ({}, False)) -> FileSource:
    """The reader for a file, opened; `profile`: (fields, complete) of the profile chosen."""
    return reader_for(path).open(Path(path), options, zone, profile)


def csv_format(path: Path, options, profile: Profile = ({}, False)) -> CsvFormat:
    fields, complete = profile
    if complete:
        fmt = CsvFormat.from_dict(fields)
        fmt.notes.append(f"profile {options.profile!r}")
    else:
        fmt = sniff(path, date_order=options.date_order, decimal=options.decimal)
        if fields:
            fmt = profiles.apply(fmt, fields)
    if options.date_order and not complete:
        fmt.time_format = apply_date_order(fmt.time_format, options.date_order)
    if options.ts_marks:
        fmt.ts_marks = options.ts_marks
    if options.decimal:
        fmt.decimal, fmt.thousands = options.decimal, None
    if options.tz:
        fmt.timezone = options.tz
    return fmt
