"""Which reader a file needs: Green Button XML, NEM12, EPW, TMY3 or CSV (sniffed or profiled)."""

from __future__ import annotations

from pathlib import Path

from energize_desktop.imports import profiles
from energize_desktop.imports.csv_format import ImportFormatError
from energize_desktop.imports.csv_source import CsvSource
from energize_desktop.imports.sniff import sniff
from energize_desktop.imports.textfile import (
    decode_sample,
    detect_encoding,
    read_samples,
)
from energize_desktop.imports.timeformats import apply_date_order


def detect_kind(path: Path) -> str:
    head, _, size = read_samples(path)
    if not size or not head.strip():
        raise ImportFormatError(f"{path}: the file is empty")
    encoding, _ = detect_encoding(head)
    lines = [ln for ln in decode_sample(head, encoding, from_start=True) if ln.strip()]
    first = lines[0].lstrip("\ufeff").strip() if lines else ""
    if first.startswith("<"):
        return "greenbutton"
    if first.startswith("100,NEM12") or first.startswith("100,NEM13"):
        return "nem12"
    if first.upper().startswith("LOCATION,") and path.suffix.lower() == ".epw":
        return "epw"
    if len(lines) > 1 and lines[1].lower().startswith("date (mm/dd/yyyy)"):
        return "tmy3"
    return "csv"


def open_source(path: Path, options, zone: str, profile: tuple[dict, bool] = ({}, False)):
    """The reader for a file; `profile`: (fields, complete) of the import profile chosen."""
    kind = detect_kind(path)
    if kind == "greenbutton":
        from energize_desktop.imports.greenbutton import GreenButtonSource

        return GreenButtonSource(path)
    if kind == "nem12":
        from energize_desktop.imports.nem12 import Nem12Source

        return Nem12Source(path)
    if kind in ("epw", "tmy3"):
        from energize_desktop.imports.weather_files import WeatherSource

        return WeatherSource(path, kind)
    return CsvSource(path, csv_format(path, options, profile), options.tz or zone, options.hints,
                     default_meter=options.meter)


def csv_format(path: Path, options, profile: tuple[dict, bool] = ({}, False)):
    fields, complete = profile
    if complete:
        from energize_desktop.imports.csv_format import CsvFormat

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
