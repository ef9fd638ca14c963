"""Reading a sniffed CSV file block by block into long frames: line, meter, ts, value, quality.

Timestamps leave here as datetimes: naive (local, for `localtime` to place) or UTC. Nothing is
guessed per row: the format was decided once, and a row that does not fit it is an error that
names the line, the column, what was expected and what was found.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import cast

import numpy as np
import polars as pl

from energize_desktop.core.quality import Quality
from energize_desktop.imports import blocks as block_module
from energize_desktop.imports import numbers
from energize_desktop.imports.blocks import Block, blocks
from energize_desktop.imports.csv_format import (
    VALUE_NAMES,
    CsvFormat,
    ImportFormatError,
    fold,
    known_unit,
    unit_from_header,
)

US_PER_S = 1_000_000


def chrono_format(fmt: str) -> str:
    """Python strptime format to the chrono dialect polars parses with."""
    return fmt.replace(".%f", "%.f")


def meter_name(fmt: CsvFormat, column: str, default: str | None = None) -> str:
    """A wide column's meter name: the header without its unit ('Main [kWh]' -> 'Main'); a
    lone column with a generic header ('value', 'kWh') takes the file's name."""
    name = unit_from_header(column)[0].strip() or column
    generic = fold(name) in VALUE_NAMES or known_unit(name)
    if default and len(fmt.value_columns) == 1 and generic:
        return default
    return name


def first_true(mask: pl.Series) -> int:
    """The index of the first true value of a mask that has one."""
    return int(mask.arg_true()[0])


class CsvReader:
    def __init__(self, path: str | Path, fmt: CsvFormat, *, default_meter: str | None = None,
                 block_bytes: int | None = None):
        self.path, self.fmt = Path(path), fmt
        self.default_meter = default_meter or self.path.name.split(".")[0]
        self.block_bytes = block_bytes

    def frames(self):
        """Yield (frame, block) per block; frame columns: line, meter, ts, value, quality, unit?"""
        skip = self.fmt.skip_lines + (1 if self.fmt.header else 0)
        size = self.block_bytes or block_module.BLOCK_BYTES
        for block in blocks(self.path, self.fmt.encoding, skip, size):
            table = self._read_block(block)
            yield self._to_long(table, block), block

    # -- reading --------------------------------------------------------------------------------
    def _value_columns(self) -> list[str]:
        f = self.fmt
        if f.shape == "long":
            return [cast(str, f.value_column), *f.value_columns]
        return list(f.value_columns)

    def _schema(self) -> dict:
        numeric = pl.Float64 if not self.fmt.thousands else pl.Utf8
        values = set(self._value_columns())
        return {c: numeric if c in values else pl.Utf8 for c in self.fmt.columns}

    def _read_block(self, block: Block) -> pl.DataFrame:
        f = self.fmt
        try:
            table = pl.read_csv(block.data, has_header=False, new_columns=f.columns,
                                schema=self._schema(), separator=f.delimiter,
                                decimal_comma=f.decimal == "," and not f.thousands,
                                truncate_ragged_lines=False, raise_if_empty=False,
                                null_values=list(numbers.NULL_TOKENS))
        except (pl.exceptions.PolarsError, ValueError) as exc:
            raise cast(ImportFormatError, self._diagnose(block, exc)) from None
        if table[f.columns[-1]].null_count():
            self._check_widths(block)  # a short line reads as nulls: find it, if any
        if f.thousands:
            table = table.with_columns(self._numbers(table, block, c) for c in self._value_columns())
        return table.with_row_index("line", offset=block.first_line).with_columns(
            pl.col("line").cast(pl.Int64))

    def _numbers(self, table: pl.DataFrame, block: Block, column: str) -> pl.Series:
        text = table[column].str.strip_chars().str.replace_all(
            "[" + cast(str, self.fmt.thousands) + "\u00a0\u202f]", "")
        if self.fmt.decimal == ",":
            text = text.str.replace(",", ".", literal=True)
        values = text.cast(pl.Float64, strict=False)
        bad = values.is_null() & table[column].str.strip_chars().ne("").fill_null(False)
        if bad.any():
            i = first_true(bad)
            raise self._bad_value(block.first_line + i, column, table[column][i])
        return values

    def _check_widths(self, block: Block) -> None:
        """Raise for a line with fewer fields than the header (blank lines are fine)."""
        data = np.frombuffer(block.data, np.uint8)
        if (data == ord('"')).any():  # quoted fields may hold delimiters: ask the csv module
            error = self._diagnose(block, None)
            if error is not None:
                raise error
            return
        ends = np.flatnonzero(data == 10)
        starts = np.r_[0, ends[:-1] + 1]
        delims = np.flatnonzero(data == ord(self.fmt.delimiter))
        counts = np.searchsorted(delims, ends) - np.searchsorted(delims, starts)
        blank = (ends - starts) <= 1
        short = np.flatnonzero((counts != len(self.fmt.columns) - 1) & ~blank)
        if len(short):
            i = int(short[0])
            text = block.data[starts[i]:ends[i]].decode("utf-8", "replace").rstrip("\r")
            raise self._width_error(block.first_line + i, text.split(self.fmt.delimiter))

    def _width_error(self, line: int, row: list[str]) -> ImportFormatError:
        f = self.fmt
        return ImportFormatError(
            f"{self.path}: line {line}: expected {len(f.columns)} columns separated by "
            f"{f.delimiter!r}, found {len(row)}: {f.delimiter.join(row)[:80]!r}")

    def _diagnose(self, block: Block, exc: Exception | None) -> ImportFormatError | None:
        """Find the first offending line of a block polars refused, and say what is wrong."""
        f = self.fmt
        width = len(f.columns)
        numeric = {f.columns.index(c) for c in self._value_columns()}
        text = block.data.decode("utf-8", errors="replace")
        for offset, row in enumerate(csv.reader(io.StringIO(text), delimiter=f.delimiter)):
            line = block.first_line + offset
            if not row or not any(c.strip() for c in row):
                continue
            if len(row) != width:
                return self._width_error(line, row)
            for i in numeric:
                v = row[i].strip()
                if v and not numbers.styles_of(v) & {(f.decimal, f.thousands), (f.decimal, None)}:
                    return self._bad_value(line, f.columns[i], v)
        if exc is None:
            return None
        return ImportFormatError(f"{self.path}: lines {block.first_line}.. cannot be read: "
                                 f"{str(exc).splitlines()[0]}")

    def _bad_value(self, line: int, column: str, found) -> ImportFormatError:
        mark = "decimal comma" if self.fmt.decimal == "," else "decimal point"
        return ImportFormatError(f"{self.path}: line {line}, column {column!r}: expected a number "
                                 f"(with a {mark}), found {found!r}")

    # -- reshaping ------------------------------------------------------------------------------
    def _to_long(self, table: pl.DataFrame, block: Block) -> pl.DataFrame:
        f = self.fmt
        table = table.filter(~pl.all_horizontal(pl.exclude("line").is_null()))  # blank lines
        if f.shape == "intervals":
            return self._intervals(table)
        ts = self._parse_time(table)
        extra = []
        if f.quality_column:
            extra.append(self._quality(table).alias("quality"))
        if f.unit_column:
            extra.append(table[f.unit_column].str.strip_chars().alias("unit"))
        if f.shape == "long":
            meter_column, value_column = cast(str, f.meter_column), cast(str, f.value_column)
            meter = table[meter_column].cast(pl.Utf8).str.strip_chars()
            self._check_present(table, meter, meter_column, "a meter name")
            for key in f.key_columns:  # one meter id, several series: "<id> – <register>"
                meter = meter + " – " + table[key].cast(pl.Utf8).str.strip_chars()
            parts = [pl.DataFrame([table["line"], meter.alias("meter"), ts.alias("ts"),
                                   table[value_column].alias("value"), *extra])]
            for column in f.value_columns:  # L1, L2, L3 of one device: a series each
                named = meter + " – " + meter_name(f, column)
                parts.append(pl.DataFrame([table["line"], named.alias("meter"), ts.alias("ts"),
                                           table[column].alias("value"), *extra]))
            if f.value_columns:
                first = meter + " – " + meter_name(f, value_column)
                parts[0] = parts[0].with_columns(first.alias("meter"))
            return pl.concat(parts)
        base = pl.DataFrame([table["line"], ts.alias("ts"), *extra])
        parts = [base.with_columns(pl.lit(meter_name(f, c, self.default_meter)).alias("meter"),
                                   table[c].alias("value")) for c in f.value_columns]
        return pl.concat(parts).select("line", "meter", "ts", "value",
                                       *[e.name for e in extra])

    def _check_present(self, table, series: pl.Series, column: str, what: str) -> None:
        missing = series.is_null() | series.eq("")
        if missing.any():
            i = first_true(missing)
            raise ImportFormatError(f"{self.path}: line {table['line'][i]}, column {column!r}: "
                                    f"expected {what}, found nothing")

    def _parse_time(self, table: pl.DataFrame) -> pl.Series:
        """Parse each run of equal stamps once: a long file repeats a stamp per meter."""
        f = self.fmt
        text = table[f.time_column]
        if f.clock_column:
            text = text.str.strip_chars() + " " + table[f.clock_column].str.strip_chars()
        self._check_present(table, text, f.time_column, "a timestamp")
        changed = text.ne_missing(text.shift(1))
        if changed.all():
            return self._parse_stamps(table["line"], text)
        runs = changed.cast(pl.Int64).cum_sum() - 1
        return self._parse_stamps(table["line"].filter(changed), text.filter(changed)).gather(runs)

    def _parse_stamps(self, lines: pl.Series, text: pl.Series) -> pl.Series:
        f = self.fmt
        if f.time_format in ("epoch_s", "epoch_ms"):
            scale = US_PER_S if f.time_format == "epoch_s" else 1000
            num = text.str.strip_chars().cast(pl.Float64, strict=False)
            self._check_parsed(lines, text, num)
            return (num * scale).round().cast(pl.Int64).cast(pl.Datetime("us", "UTC"))
        text = text.str.strip_chars()
        zulu = text.str.ends_with("Z")
        if zulu.any():
            text = pl.select(pl.when(zulu).then(text.str.slice(0, text.str.len_chars() - 1)
                                                + "+00:00").otherwise(text)).to_series()
        midnight = text.str.contains(r"[ T]24:00", literal=False)
        if midnight.any():
            text = text.str.replace(r"([ T])24:00", "${1}00:00")
        ts = text.str.strptime(pl.Datetime("us"), chrono_format(f.time_format), strict=False)
        self._check_parsed(lines, text, ts)
        if midnight.any():  # 24:00 is the end of the day: midnight of the next
            ts = pl.select(pl.when(midnight).then(ts + pl.duration(days=1)).otherwise(ts)
                           ).to_series()
        return ts

    def _check_parsed(self, lines: pl.Series, text: pl.Series, parsed: pl.Series) -> None:
        bad = parsed.is_null() & text.is_not_null()
        if bad.any():
            i = first_true(bad)
            raise ImportFormatError(
                f"{self.path}: line {lines[i]}, column {self.fmt.time_column!r}: "
                f"expected a timestamp like {_example(self.fmt.time_format)} "
                f"({self.fmt.time_format}), found {text[i]!r}")

    def _quality(self, table: pl.DataFrame) -> pl.Series:
        column = table[cast(str, self.fmt.quality_column)].cast(pl.Utf8).str.strip_chars()
        mapping = {}
        for text in column.unique().to_list():
            if text is None or text == "":
                mapping[text] = int(Quality.VALID)
                continue
            try:
                mapping[text] = int(Quality.parse(text))
            except ValueError as exc:
                i = int(column.eq(text).arg_max())
                raise ImportFormatError(f"{self.path}: line {table['line'][i]}, column "
                                        f"{self.fmt.quality_column!r}: {exc}") from None
        return column.fill_null("").replace_strict(
            {("" if k is None else k): v for k, v in mapping.items()}, return_dtype=pl.UInt8)

    def _intervals(self, table: pl.DataFrame) -> pl.DataFrame:
        """One row per day: slot k covers [midnight + k·interval, +interval) in elapsed time."""
        f = self.fmt
        day_fmt = chrono_format(f.time_format.split(" ")[0])
        text = table[f.time_column].str.strip_chars()
        day = text.str.strptime(pl.Date, day_fmt, strict=False)
        self._check_parsed(table["line"], text, day)
        meter = (table[f.meter_column].cast(pl.Utf8).str.strip_chars() if f.meter_column
                 else pl.Series([self.default_meter] * len(table)))
        base = pl.DataFrame([table["line"], meter.alias("meter"), day.alias("day")])
        if f.unit_column:
            base = base.with_columns(table[f.unit_column].str.strip_chars().alias("unit"))
        parts = [base.with_columns(pl.lit(k, pl.Int32).alias("slot"), table[c].alias("value"))
                 for k, c in enumerate(f.value_columns)]
        return pl.concat(parts).sort("meter", "day", "slot", maintain_order=True)


def _example(fmt: str) -> str:
    from datetime import datetime

    if fmt.startswith("epoch"):
        return "1704067200"
    return datetime(2024, 1, 31, 23, 45).strftime(fmt.replace("%z", "+00:00"))
