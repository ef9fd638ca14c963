"""A report of several tables in one file (a utility portal's "Detailed Usage" export): banner
lines between blocks, each block a header and its rows, times written as periods
("2025-10-19 00:00 to 2025-10-19 01:00"). Each block is read as a CSV of its own and becomes a
series of its own, named by the title above it — "(block k)" added when titles repeat, as they
do when a portal calls delivered, received and net all "Energy Consumption"."""

from __future__ import annotations

import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from energize_desktop.imports.base import Sample
from energize_desktop.imports.channels import ChannelSpec
from energize_desktop.imports.csv_format import ImportFormatError
from energize_desktop.imports.csv_source import CsvSource
from energize_desktop.imports.sniff import sniff

# "2025-10-19 00:00 to 2025-10-19 01:00" (also " - ", " – ", " until "): its start
PERIOD = re.compile(r"^\s*(\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?)\s+(?:to|-|–|until)\s+"
                    r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?\s*$", re.IGNORECASE)
BANNER = re.compile(r"^\s*[=\-*#_~]{5,}\s*$")
TITLE = re.compile(r"type of readings?:\s*(.+)$", re.IGNORECASE)


def blocks_of(lines: list[str]) -> list[tuple[str, int, list[str]]]:
    """(title, first line number, [header, rows…]) of each table: a header followed by rows
    whose first cell is a period or a time, ended by a banner or a blank line."""
    out, title, current, start = [], "", None, 0
    for i, raw in enumerate(lines, start=1):
        line = raw.strip()
        found = TITLE.search(line)
        if found:
            title = found[1].split(",")[-2 if "," in found[1] else -1].strip()
        first = line.split(",")[0]
        if current is not None and line and not BANNER.match(line) and PERIOD.match(first):
            current.append(line)
            continue
        if current is not None and len(current) > 1:
            out.append((title, start, current))
        current = None
        if "," in line and not BANNER.match(line) and i < len(lines) and \
                PERIOD.match(lines[i].strip().split(",")[0]):
            current, start = [line], i  # a header: the next line is a row
    if current is not None and len(current) > 1:
        out.append((title, start, current))
    return out


def looks_blocked(sample: Sample) -> bool:
    banners = sum(bool(BANNER.match(ln)) for ln in sample.lines[:60])
    periods = sum(bool(PERIOD.match(ln.split(",")[0])) for ln in sample.lines[:200])
    return banners >= 2 and periods >= 2


class BlockedCsvSource:
    label = "CSV report (several blocks)"

    def __init__(self, path: Path, zone: str, hints, default_meter=None):
        self.path = Path(path)
        text = self.path.read_text(encoding="utf-8-sig", errors="replace")
        found = blocks_of(text.splitlines())
        if not found:
            raise ImportFormatError(f"{self.path}: no table of periods found between its "
                                    "banner lines")
        self.notes = [f"{len(found)} block(s) of rows between banner lines; times written as "
                      "periods are read as their start"]
        self.dst_notes: list[str] = []
        self.channels: dict[str, ChannelSpec] = {}
        self.zone_hint = None
        titles = [t or "block" for t, _, _ in found]
        self._parts = []
        self._dir = tempfile.TemporaryDirectory(prefix="energize-blocks-")
        for k, (title, line, rows) in enumerate(found, start=1):
            name = f"{titles[k - 1]} (block {k})" if titles.count(titles[k - 1]) > 1 else \
                titles[k - 1]
            part = Path(self._dir.name) / f"block{k}.csv"
            header = _unit_words(rows[0])
            width = len(header.split(","))
            part.write_text("\n".join([header] + [_start_of(r, width) for r in rows[1:]])
                            + "\n", encoding="utf-8")
            with self._named(k, line, part):
                fmt = sniff(part)
                source = CsvSource(part, fmt, zone, hints, default_meter=name)
            self._parts.append((name, line, source, part))
            self.notes.append(f"block {k} from line {line}: {name!r}, {len(rows) - 1} rows")

    def frames(self):
        total = len(self._parts)
        for k, (name, line, source, part) in enumerate(self._parts, start=1):
            with self._named(k, line, part):
                yield from self._block_frames(k, total, name, line, source)
            self.dst_notes.extend(source.dst_notes)

    def _block_frames(self, k: int, total: int, name: str, line: int, source: CsvSource):
        """The block's readings under its own name, lines counted in the user's file."""
        for frame, _done in source.frames():
            frame = frame.with_columns(pl.lit(name).alias("meter"),
                                       (pl.col("line") + line).alias("line"))
            for spec in source.channels.values():
                self.channels.setdefault(name, ChannelSpec(
                    name, spec.unit, spec.kind, spec.semantics, spec.interval_s, spec.source,
                    spec.notes, spec.role))
            yield frame, k / total

    @contextmanager
    def _named(self, k: int, line: int, part: Path):
        """An error in a block names the user's file and the block's first line, never the
        temporary file the block was read from."""
        try:
            yield
        except ImportFormatError as exc:
            raise ImportFormatError(str(exc).replace(
                f"{part}:", f"{self.path} (block {k}, its header on line {line}):"),
                field=exc.field) from None


def _start_of(row: str, width: int) -> str:
    """A row with its period replaced by the period's start, and the empty trailing cells a
    portal adds beyond its header cut."""
    cells = row.split(",")
    while len(cells) > width and not cells[-1].strip():
        cells.pop()
    found = PERIOD.match(cells[0])
    cells[0] = found[1] if found else cells[0]
    return ",".join(cells)


UNIT_WORDS = (("kilowatt-hours", "kWh"), ("kilowatt hours", "kWh"), ("watt-hours", "Wh"),
              ("watt hours", "Wh"), ("cubic meters", "m³"), ("cubic metres", "m³"),
              ("therms", "therm"), ("kilowatts", "kW"))


def _unit_words(header: str) -> str:
    """'Usage(Real energy in kilowatt-hours)' → 'Usage (kWh)': a unit written in words."""
    cells = []
    for cell in header.split(","):
        low = cell.lower()
        unit = next((u for words, u in UNIT_WORDS if words in low), None)
        cells.append(f"{cell.split('(')[0].strip() or cell} ({unit})" if unit else cell)
    return ",".join(cells)
