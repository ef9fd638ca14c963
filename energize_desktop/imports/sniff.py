"""Sniffing a CSV file's format from its first and last 64 KB: a confident answer or a question.

Decides encoding, delimiter, preamble and header, number style, the timestamp column(s) and
format, and the shape (long: one row per reading with a meter column; wide: one column per
meter; intervals: one row per day with 24/48/96 interval columns). Each decision is noted so
that the import summary can say why.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import cast

from energize_desktop.imports import numbers, timeformats
from energize_desktop.imports.csv_format import (
    CLOCK_NAMES,
    METER_NAMES,
    QUALITY_NAMES,
    TIME_NAMES,
    UNIT_NAMES,
    VALUE_NAMES,
    CsvFormat,
    ImportFormatError,
    fold,
    known_unit,
    unit_from_header,
)
from energize_desktop.imports.textfile import (
    SAMPLE_BYTES,
    decode_sample,
    detect_encoding,
    read_samples,
)

DELIMITERS = (",", ";", "\t", "|")
SLOTS_PER_DAY = {24: 3600, 25: 3600, 48: 1800, 50: 1800, 96: 900, 100: 900, 288: 300, 300: 300}
SAMPLE_ROWS = 200


def sniff(path: str | Path, *, date_order: str | None = None,
          decimal: str | None = None) -> CsvFormat:
    path = Path(path)
    head, tail, size = read_samples(path)
    if size == 0 or not head.strip():
        raise ImportFormatError(f"{path}: the file is empty")
    fmt = CsvFormat()
    fmt.encoding, why = detect_encoding(head)
    fmt.notes.append(f"encoding {fmt.encoding}: {why}")
    lines = decode_sample(head, fmt.encoding, from_start=True)
    tail_lines = decode_sample(tail, fmt.encoding, from_start=False) if tail else []
    if not any(line.strip() for line in lines):
        if len(head) < SAMPLE_BYTES:
            raise ImportFormatError(f"{path}: the file is empty")
        raise ImportFormatError(f"{path}: line 1 is longer than {SAMPLE_BYTES // 1024} KB with "
                                "no line break: not a table of readings")
    fmt.delimiter = _delimiter(path, lines)
    rows = [_split(line, fmt.delimiter) for line in lines]
    start, width = _table_start(path, rows)
    data = [r for r in rows[start:] if any(c.strip() for c in r) and len(r) == width]
    has_header = not _is_data_row(data[0])
    _check_header_width(path, rows, start, width, has_header)
    if has_header:
        fmt.columns = [c.strip() or f"column {i + 1}" for i, c in enumerate(data[0])]
        data = data[1:]
    else:
        fmt.columns = [f"column {i + 1}" for i in range(width)]
        fmt.notes.append("no header line: columns are numbered")
    fmt.skip_lines, fmt.header = start, has_header
    if start:
        fmt.notes.append(f"{start} preamble line(s) skipped before the "
                         f"{'header' if has_header else 'data'}")
    if not data:
        raise ImportFormatError(f"{path}: line {start + 1}: a header but no data rows")
    data = data[:SAMPLE_ROWS] + [r for r in (_split(t, fmt.delimiter) for t in tail_lines[-50:])
                                 if len(r) == width and not r == data[0]]
    columns = {name: [r[i] if i < len(r) else "" for r in data]
               for i, name in enumerate(fmt.columns)}
    _assign_roles(path, fmt, columns, date_order, decimal)
    return fmt


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _delimiter(path: Path, lines: list[str]) -> str:
    body = [ln for ln in lines if ln.strip()]
    best, best_score = None, (0, 0, 0)
    for d in DELIMITERS:
        widths = [len(_split(ln, d)) for ln in body]
        tail = widths[-20:]
        width, _ = Counter(tail).most_common(1)[0]
        run = sum(w == width for w in widths)
        score = (width > 1, run, width)
        if score > best_score:
            best, best_score = d, score
    if best is None or best_score[1] < 1 or not best_score[0]:
        raise ImportFormatError(f"{path}: no delimiter found; expected one of , ; tab | "
                                f"between the columns of every line")
    return best


def _table_start(path: Path, rows: list[list[str]]) -> tuple[int, int]:
    """Index of the first line of the table (header or data) and the table's width.

    The table starts at the first line as wide as most lines from there on; lines before it are
    a preamble. Lines of another width inside the table are the reader's to report.
    """
    widths = [len(r) if any(c.strip() for c in r) else None for r in rows]
    real = [w for w in widths if w]
    if not real:
        raise ImportFormatError(f"{path}: no line holds any value: expected timestamps and "
                                "numbers")
    width = Counter(real[-20:]).most_common(1)[0][0]
    for i, w in enumerate(widths):
        if w == width:
            rest = [x for x in widths[i:] if x]
            if sum(x == width for x in rest) >= 0.8 * len(rest):
                return i, width
    raise ImportFormatError(f"{path}: rows have different numbers of columns")


def _check_header_width(path: Path, rows, start: int, width: int, has_header: bool) -> None:
    """A header with more names than the rows below it have values is not a preamble: which
    name goes with which value cannot be told, so the file is refused rather than misread."""
    if has_header or not start:
        return
    above = rows[start - 1]
    if len(above) > width and any(c.strip() for c in above) and not _is_data_row(above):
        raise ImportFormatError(
            f"{path}: line {start}: the header names {len(above)} columns "
            f"({', '.join(c.strip() for c in above)}) but the rows below it have {width}: "
            "expected one header name per column")


def _is_data_row(row: list[str]) -> bool:
    cells = [c for c in row if c.strip()]
    return bool(cells) and all(numbers.is_numeric([c]) or timeformats.candidates(c)
                               for c in cells)


def _assign_roles(path: Path, fmt: CsvFormat, columns: dict, date_order: str | None,
                  decimal: str | None) -> None:
    kinds = {name: _kind(path, name, values, date_order) for name, values in columns.items()}
    _time_columns(path, fmt, columns, kinds)
    numeric = [n for n, k in kinds.items() if k == "number" and n not in
               (fmt.time_column, fmt.clock_column)]
    index = [n for n in numeric if _is_row_index(n, columns[n])]
    if index:
        numeric = [n for n in numeric if n not in index]
        fmt.notes.append(f"ignored row-number column(s) {', '.join(map(repr, index))}")
    text = [n for n, k in kinds.items() if k == "text"]
    if decimal:
        fmt.decimal, fmt.thousands, note = decimal, None, f"decimal mark {decimal!r} as given"
    else:
        fmt.decimal, fmt.thousands, note = numbers.decide_style(
            {n: columns[n] for n in numeric}, fmt.delimiter)
    if note:
        fmt.notes.append(note)
    daily = "%H" not in fmt.time_format and "%I" not in fmt.time_format
    slot_columns = [n for n, k in kinds.items() if k in ("number", "empty") and n not in
                    index] if daily else []
    if len(slot_columns) in SLOTS_PER_DAY or len(slot_columns) - 1 in SLOTS_PER_DAY:
        _intervals(fmt, slot_columns, text, columns)
    elif _long(fmt, numeric, text, columns):
        pass
    else:
        _wide(path, fmt, numeric)
    fmt.skipped = _skipped(fmt, kinds, columns, index)


def _skipped(fmt: CsvFormat, kinds: dict, columns: dict, index: list[str]) -> dict[str, str]:
    """Each column the import will not store, with why (the preview lists them)."""
    used = {fmt.time_column, fmt.clock_column, fmt.meter_column, fmt.value_column,
            fmt.unit_column, fmt.quality_column, *fmt.key_columns, *fmt.value_columns}
    out = {}
    for name, kind in kinds.items():
        if name in used:
            continue
        sample = next((v.strip() for v in columns[name] if v.strip()), "")
        if name in index:
            out[name] = "row numbers (1, 2, 3…), not readings"
        elif kind == "empty":
            out[name] = "empty in every row read"
        elif kind == "text":
            out[name] = f"text (e.g. {sample[:24]!r}), not numbers"
        elif kind.startswith("time") or kind in ("epoch", "clock"):
            out[name] = f"a further date or time column (e.g. {sample[:24]!r})"
        else:
            out[name] = "numbers not taken as a series here (a profile's value_columns can add it)"
    return out


def _is_row_index(name: str, values: list[str]) -> bool:
    if fold(name) not in ("", "index", "unnamed0", "row", "rownumber", "no") and \
            not name.startswith("column "):
        return False
    try:
        nums = [int(v) for v in values[:SAMPLE_ROWS] if v.strip()]
    except ValueError:
        return False
    return len(nums) > 2 and all(b - a == 1 for a, b in zip(nums, nums[1:]))


def _kind(path: Path, name: str, values: list[str], date_order: str | None) -> str:
    filled = [v for v in values if v.strip()]
    if not filled:
        return "empty"
    if numbers.is_numeric(filled):
        if fold(name) in TIME_NAMES and timeformats.epoch_unit(filled):
            return "epoch"
        return "number"
    try:
        found = timeformats.decide(filled, name)
    except ImportFormatError as exc:
        if not date_order:
            raise type(exc)(f"{path}: {exc}", field=exc.field) from None
        found = timeformats.candidates(filled[0])[0]
    if found:
        return "time:" + (timeformats.apply_date_order(found, date_order) if date_order
                          else found)
    clock = timeformats.clock_format(filled[0])
    # a time of day by its name ("Time", "From (time)", "Uur", "Heure") or by every value
    named = fold(name) in CLOCK_NAMES | {"time"} or any(
        w in fold(name) for w in ("time", "hour", "uur", "heure", "zeit", "tijd", "hora"))
    if clock and (named or all(timeformats.clock_format(v) == clock for v in filled[:200])):
        return "clock:" + clock
    return "text"


def _time_columns(path: Path, fmt: CsvFormat, columns: dict, kinds: dict) -> None:
    times = [n for n, k in kinds.items() if k.startswith("time:")]
    epochs = [n for n, k in kinds.items() if k == "epoch"]
    if not times and epochs:
        fmt.time_column = epochs[0]
        fmt.time_format = cast(str, timeformats.epoch_unit(columns[epochs[0]]))
        fmt.notes.append(f"column {epochs[0]!r}: Unix times ({fmt.time_format})")
        return
    if not times:
        first = {n: v[0] for n, v in list(columns.items())[:3]}
        raise ImportFormatError(f"{path}: no column holds timestamps (first values {first}); "
                                "expected ISO 8601, DD/MM/YYYY, MM/DD/YYYY or Unix times")
    named = [n for n in times if fold(n) in TIME_NAMES]
    fmt.time_column = (named or times)[0]
    fmt.time_format = kinds[fmt.time_column][5:]
    words = fold(fmt.time_column)
    if "end" in words or words == "to":
        fmt.ts_marks = "end"
        fmt.notes.append(f"column {fmt.time_column!r} marks the end of each interval")
    clocks = [n for n, k in kinds.items() if k.startswith("clock:")]
    if clocks and "%H" not in fmt.time_format and "%I" not in fmt.time_format:
        # the clock beside the date ("From (date)", "From (time)"), not an "Until" one
        order = list(kinds)
        clocks.sort(key=lambda n: abs(order.index(n) - order.index(fmt.time_column)))
        fmt.clock_column = clocks[0]
        fmt.time_format += " " + kinds[clocks[0]][6:]
    fmt.notes.append(f"timestamps in {fmt.time_column!r}"
                     f"{' + ' + repr(fmt.clock_column) if fmt.clock_column else ''} "
                     f"read as {fmt.time_format}")


def _long(fmt: CsvFormat, numeric: list[str], text: list[str], columns: dict) -> bool:
    def pick(names, pool):
        return next((n for n in pool if fold(n) in names), None)

    meter = pick(METER_NAMES, text) or pick(METER_NAMES, numeric)
    if meter is None:
        repeated = [n for n in text if len(set(columns[n])) < len(columns[n]) and
                    not known_unit(columns[n][0]) and fold(n) not in UNIT_NAMES | QUALITY_NAMES]
        # an id has digits (E0042, 1SAG123…); a word column (Afname/Injectie) is more likely
        # a register or direction that splits the meter's series
        repeated.sort(key=lambda n: not any(ch.isdigit() for ch in columns[n][0]))
        meter = repeated[0] if repeated else None
    if meter is None:
        return False
    values = [n for n in numeric if n != meter]
    value = pick(VALUE_NAMES, values) or next(
        (n for n in values if unit_from_header(n)[1]), None) or (values[0] if values else None)
    if value is None:
        return False
    fmt.shape, fmt.meter_column, fmt.value_column = "long", meter, value
    fmt.unit_column = pick(UNIT_NAMES, text)
    fmt.quality_column = pick(QUALITY_NAMES, text) or pick(QUALITY_NAMES, numeric)
    # every other measurement column of the same device is a series too (L1, L2, L3)
    fmt.value_columns = [n for n in values if n != value and unit_from_header(n)[1]
                         and unit_from_header(n)[1] == unit_from_header(value)[1]]
    for column in (value, *fmt.value_columns):
        unit = unit_from_header(column)[1]
        if unit:
            fmt.units[column] = unit
    fmt.key_columns = _key_columns(fmt, text, columns)
    used = (fmt.time_column, fmt.clock_column, meter, value, fmt.unit_column,
            fmt.quality_column, *fmt.value_columns, *fmt.key_columns)
    ignored = [n for n in fmt.columns if n not in used]
    fmt.notes.append(f"long format: meter in {meter!r}, value in "
                     f"{', '.join(map(repr, (value, *fmt.value_columns)))}"
                     + (f"; series split by {', '.join(map(repr, fmt.key_columns))}"
                        if fmt.key_columns else "")
                     + (f"; ignored {', '.join(map(repr, ignored))}" if ignored else ""))
    return True


MAX_KEY_VALUES = 12


def _key_columns(fmt: CsvFormat, text: list[str], columns: dict) -> list[str]:
    """The column (a register, a direction, a unit) whose few values make the rows of one
    meter at one time distinct: one meter id, several series. None when times do not repeat."""
    stamp = [columns[fmt.time_column][i] + (columns[fmt.clock_column][i] if fmt.clock_column
                                            else "")
             for i in range(len(columns[fmt.time_column]))]
    meters = columns[fmt.meter_column] if fmt.meter_column else [""] * len(stamp)
    rows = list(zip(stamp, meters))
    if len(set(rows)) == len(rows):
        return []  # one row per meter and time: nothing to split
    taken = {fmt.time_column, fmt.clock_column, fmt.meter_column, fmt.quality_column}
    pool = [n for n in text if n not in taken]
    if fmt.unit_column:
        pool.append(fmt.unit_column)  # the same hour in m³ and in kWh
    for name in pool:
        values = columns[name]
        distinct = {v.strip() for v in values if v.strip()}
        if 2 <= len(distinct) <= MAX_KEY_VALUES and \
                len(set(zip(stamp, meters, values))) == len(rows):
            return [name]
    return []


def _wide(path: Path, fmt: CsvFormat, numeric: list[str]) -> None:
    if not numeric:
        raise ImportFormatError(f"{path}: no column holds numbers next to the timestamps")
    fmt.shape, fmt.value_columns = "wide", numeric
    for name in numeric:
        unit = unit_from_header(name)[1]
        if unit:
            fmt.units[name] = unit
    fmt.notes.append(f"wide format: {len(numeric)} meter column(s)")


def _intervals(fmt: CsvFormat, slots: list[str], text: list[str], columns: dict) -> None:
    n = len(slots) if len(slots) in SLOTS_PER_DAY else len(slots) - 1
    fmt.shape, fmt.value_columns = "intervals", slots[:n] if n == len(slots) else slots
    fmt.interval_s = SLOTS_PER_DAY[n]
    meter = next((t for t in text if fold(t) in METER_NAMES), None)
    fmt.meter_column = meter
    fmt.unit_column = next((t for t in text if fold(t) in UNIT_NAMES), None)
    fmt.notes.append(f"one row per day with {len(fmt.value_columns)} interval columns of "
                     f"{fmt.interval_s // 60} min")
