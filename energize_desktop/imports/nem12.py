"""AU NEM12 interval meter data (AEMO 'Meter Data File Format'): records 100, 200, 300, 400,
500, 900. Times are market time, AEST (UTC+10) all year; interval k of a day starts at
midnight + k × IntervalLength. Quality: A actual, E/F/S estimated or substituted, N null
(a gap), V per-interval from the 400 records that follow.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import polars as pl

from energize_desktop.core.model import MeterKind, Semantics
from energize_desktop.core.quality import Quality
from energize_desktop.core.units import UnitError, parse_unit
from energize_desktop.imports.channels import ChannelSpec
from energize_desktop.imports.csv_format import ImportFormatError

US = 1_000_000
AEST_S = 10 * 3600
FLAG = {"A": int(Quality.VALID), "E": int(Quality.ESTIMATED), "F": int(Quality.ESTIMATED),
        "S": int(Quality.ESTIMATED), "N": int(Quality.VALID)}


class Nem12Source:
    label = "AU NEM12 interval data"

    def __init__(self, path: Path):
        self.path = Path(path)
        self.notes: list[str] = []
        self.dst_notes: list[str] = []
        self.channels: dict[str, ChannelSpec] = {}
        self._rows: list[tuple] = []  # (line, name, ts_us array, values, quality)
        # market time is AEST all year: a new site for this file is in the NEM's zone
        self.zone_hint = "Australia/Brisbane"
        self._parse()

    def frames(self):
        if not self._rows:
            raise ImportFormatError(f"{self.path}: no 300 (interval data) records")
        parts = [pl.DataFrame({"line": np.full(len(ts), line, np.int64),
                               "meter": [name] * len(ts), "ts": ts, "value": v, "quality": q})
                 for line, name, ts, v, q in self._rows]
        yield pl.concat(parts), 1.0

    def _parse(self) -> None:
        channel, interval, ended, header = None, None, False, False
        with open(self.path, newline="", encoding="utf-8-sig", errors="replace") as f:
            for line, rec in _records(self.path, f):
                if not rec or not rec[0].strip():
                    continue
                kind = rec[0].strip()
                if ended:
                    raise ImportFormatError(f"{self.path}: line {line}: data after the 900 record")
                if kind == "100":
                    header = True
                    continue
                if kind == "200":
                    channel, interval = self._nmi(rec, line)
                elif kind == "300":
                    self._day(rec, line, channel, interval)
                elif kind == "400":
                    self._variable(rec, line)
                elif kind in ("500", "550"):
                    continue
                elif kind == "900":
                    ended = True
                else:
                    raise ImportFormatError(f"{self.path}: line {line}: unknown record type "
                                            f"{kind[:20]!r}; expected 100, 200, 300, 400, 500 "
                                            "or 900")
        if not ended and header:
            raise ImportFormatError(f"{self.path}: no 900 (end of data) record: the file is cut "
                                    "short or not a whole NEM12 file")
        if not header:
            self.notes.append("no 100 header record: read as NEM12 from its 200 and 300 "
                              "records (a distributor's download)")

    def _nmi(self, rec, line) -> tuple[str, int]:
        if len(rec) < 9:
            raise ImportFormatError(f"{self.path}: line {line}: a 200 record needs 9 fields "
                                    "(NMI, configuration, register, suffix, stream, serial, UOM, "
                                    "interval length)")
        nmi, suffix, uom = rec[1].strip(), rec[4].strip(), rec[7].strip()
        try:
            interval = int(rec[8])
            unit = parse_unit(uom)
        except (ValueError, UnitError) as exc:
            raise ImportFormatError(f"{self.path}: line {line}: {exc}") from None
        if interval not in (5, 15, 30):
            raise ImportFormatError(f"{self.path}: line {line}, field 9: interval length must be "
                                    f"5, 15 or 30 minutes, found {interval}")
        name = f"{nmi} {suffix}"
        power = unit.symbol in ("kW", "W", "MW")
        self.channels[name] = ChannelSpec(
            name, unit.symbol, MeterKind.ELECTRICITY,
            Semantics.INSTANTANEOUS if power else Semantics.INTERVAL, interval * 60,
            {"nmi": nmi, "register": rec[3].strip(), "suffix": suffix,
             "serial": rec[6].strip()})
        self.notes.append(f"NMI {nmi} suffix {suffix}: {unit.symbol} every {interval} min "
                          "(AEST, UTC+10)")
        return name, interval

    def _day(self, rec, line, channel, interval) -> None:
        if channel is None:
            raise ImportFormatError(f"{self.path}: line {line}: a 300 record before any 200")
        n = 1440 // interval
        if len(rec) < 2 + n + 1:
            raise ImportFormatError(f"{self.path}: line {line}: expected {n} interval values "
                                    f"and a quality flag after the date, found {len(rec) - 2} "
                                    "fields")
        try:
            day = np.datetime64(f"{rec[1][:4]}-{rec[1][4:6]}-{rec[1][6:8]}", "D")
        except ValueError:
            raise ImportFormatError(f"{self.path}: line {line}, field 2: expected a date "
                                    f"YYYYMMDD, found {rec[1]!r}") from None
        values = np.empty(n)
        for k in range(n):
            text = rec[2 + k].strip()
            try:
                values[k] = float(text) if text else np.nan
            except ValueError:
                raise ImportFormatError(f"{self.path}: line {line}, field {3 + k}: expected a "
                                        f"number, found {text!r}") from None
        method = rec[2 + n].strip()[:1].upper()
        if _is_number(rec[2 + n]):
            more = next(i for i in range(2 + n, len(rec) + 1)
                        if i == len(rec) or not _is_number(rec[i])) - 2
            raise ImportFormatError(f"{self.path}: line {line}: {more} interval values for a "
                                    f"{interval}-minute interval; a day has {n}")
        if method == "N":
            values[:] = np.nan  # null data: a gap
        quality = np.full(n, FLAG.get(method, int(Quality.VALID)), np.uint8)
        start = day.astype("datetime64[us]").astype(np.int64) - AEST_S * US
        ts = start + np.arange(n, dtype=np.int64) * interval * 60 * US
        self._rows.append((line, channel, ts, values, quality))

    def _variable(self, rec, line) -> None:
        """400: StartInterval, EndInterval, QualityMethod for part of the last 300 record."""
        if not self._rows:
            raise ImportFormatError(f"{self.path}: line {line}: a 400 record with no 300 before")
        try:
            lo, hi = int(rec[1]), int(rec[2])
        except (ValueError, IndexError):
            raise ImportFormatError(f"{self.path}: line {line}: expected start and end interval "
                                    "numbers") from None
        _, _, _, values, quality = self._rows[-1]
        if not 1 <= lo <= hi <= len(values):
            raise ImportFormatError(f"{self.path}: line {line}: intervals {lo}–{hi} are outside "
                                    f"1–{len(values)}")
        method = rec[3].strip()[:1].upper() if len(rec) > 3 else "A"
        if method == "N":
            values[lo - 1:hi] = np.nan
        quality[lo - 1:hi] = FLAG.get(method, int(Quality.VALID))


def _records(path, f):
    """(line, fields) of each record; a field past csv's limit is an error naming its line."""
    reader = csv.reader(f)
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFormatError(f"{path}: line {reader.line_num}: {exc}; not a NEM12 "
                                    "record") from None
        yield reader.line_num, rec


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return bool(text.strip())
