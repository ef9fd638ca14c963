"""Weather files as outdoor-temperature channels: EnergyPlus EPW and NREL TMY3.

Both give hourly values in local standard time with the hour ending at the stamp (hour 1 is
00:00–01:00); the dry-bulb temperature is read as a sample at the end of its hour. A typical
meteorological year takes each month from a different year; its stamps are kept as given.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import polars as pl

from energize_desktop.core.model import MeterKind, Semantics
from energize_desktop.imports.channels import ChannelSpec
from energize_desktop.imports.csv_format import ImportFormatError

US = 1_000_000
EPW_HEADER_LINES = 8


class WeatherSource:
    def __init__(self, path: Path, kind: str):
        self.path, self.kind = Path(path), kind
        self.label = "EnergyPlus EPW weather" if kind == "epw" else "NREL TMY3 weather"
        self.notes: list[str] = []
        self.dst_notes: list[str] = []
        self.channels: dict[str, ChannelSpec] = {}
        self.zone_hint = None
        rows = self._epw() if kind == "epw" else self._tmy3()
        self._frame = self._build(*rows)

    def frames(self):
        yield self._frame, 1.0

    def _read(self) -> list[list[str]]:
        with open(self.path, newline="", encoding="utf-8", errors="replace") as f:
            return list(csv.reader(f))

    def _epw(self):
        rows = self._read()
        loc = rows[0]
        if len(loc) < 10:
            raise ImportFormatError(f"{self.path}: line 1: expected LOCATION with 10 fields")
        station, offset_h = f"{loc[1]} {loc[5]}".strip(), _number(loc[8], 1, 9, self.path)
        stamps, temps, lines, width = [], [], [], None
        for i, r in enumerate(rows[EPW_HEADER_LINES:], start=EPW_HEADER_LINES + 1):
            if not r or not r[0].strip():
                continue
            if len(r) < 7:
                raise ImportFormatError(f"{self.path}: line {i}: expected at least 7 fields "
                                        f"(year, month, day, hour, minute, source, dry bulb)")
            width = width or len(r)
            if len(r) < width:
                raise ImportFormatError(f"{self.path}: line {i}: {len(r)} fields where the rows "
                                        f"before have {width}: the file is cut short")
            y, mo, d, h = (int(_number(r[k], i, k + 1, self.path)) for k in range(4))
            _check_date(self.path, i, y, mo, d, h)
            stamps.append((y, mo, d, h))
            temps.append(_number(r[6], i, 7, self.path))
            lines.append(i)
        return station, offset_h, stamps, temps, lines, 99.9

    def _tmy3(self):
        rows = self._read()
        meta, header = rows[0], rows[1]
        station, offset_h = f"{meta[1]} {meta[0]}".strip(), _number(meta[3], 1, 4, self.path)
        try:
            col = next(i for i, h in enumerate(header) if h.lower().startswith("dry-bulb"))
        except StopIteration:
            raise ImportFormatError(f"{self.path}: line 2: no 'Dry-bulb (C)' column") from None
        stamps, temps, lines = [], [], []
        for i, r in enumerate(rows[2:], start=3):
            if not r:
                continue
            try:
                mo, d, y = (int(p) for p in r[0].split("/"))
                h = int(r[1].split(":")[0])
            except (ValueError, IndexError):
                raise ImportFormatError(f"{self.path}: line {i}: expected MM/DD/YYYY,HH:MM, "
                                        f"found {','.join(r[:2])!r}") from None
            _check_date(self.path, i, y, mo, d, h)
            stamps.append((y, mo, d, h))
            temps.append(_number(r[col], i, col + 1, self.path))
            lines.append(i)
        return station, offset_h, stamps, temps, lines, -9900.0

    def _build(self, station, offset_h, stamps, temps, lines, missing):
        if not stamps:
            raise ImportFormatError(f"{self.path}: no hourly rows")
        arr = np.array(stamps, np.int64)
        days = (np.array([f"{y:04d}-{m:02d}-{d:02d}" for y, m, d, _ in arr],
                         "datetime64[D]").astype("datetime64[us]").astype(np.int64))
        ts = days + arr[:, 3] * 3600 * US - int(offset_h * 3600) * US  # hour-ending, to UTC
        value = np.array(temps, np.float64)
        value[value >= missing if missing > 0 else value <= missing] = np.nan
        name = f"Outdoor temperature ({station})"
        self.channels[name] = ChannelSpec(name, "°C", MeterKind.TEMPERATURE,
                                          Semantics.INSTANTANEOUS, 3600,
                                          {"weather_file": self.path.name})
        years = sorted(set(arr[:, 0].tolist()))
        self.notes.append(f"station {station}, standard time UTC{offset_h:+g} h, "
                          f"{len(ts)} hourly dry-bulb values"
                          + (f"; a typical year built from {years[0]}–{years[-1]}"
                             if len(years) > 2 else ""))
        return pl.DataFrame({"line": np.array(lines, np.int64), "meter": [name] * len(ts),
                             "ts": ts, "value": value,
                             "quality": np.zeros(len(ts), np.uint8)})


def _number(text: str, line: int, column: int, path) -> float:
    try:
        return float(text)
    except ValueError:
        raise ImportFormatError(f"{path}: line {line}, field {column}: expected a number, "
                                f"found {text!r}") from None


def _check_date(path, line: int, year: int, month: int, day: int, hour: int) -> None:
    """An hourly weather row's date and hour-ending (1-24), named by its line when wrong."""
    import calendar

    if not 1900 <= year <= 2200 or not 1 <= month <= 12:
        raise ImportFormatError(f"{path}: line {line}: year {year}, month {month}: expected a "
                                "year 1900-2200 and a month 1-12")
    if not 1 <= day <= calendar.monthrange(year, month)[1] or not 0 <= hour <= 24:
        raise ImportFormatError(f"{path}: line {line}: day {day}, hour {hour} is not a time of "
                                f"{year}-{month:02d}")
