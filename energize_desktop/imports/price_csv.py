"""A dynamic price file: `timestamp,price_per_kwh` at 15, 30 or 60 minutes (a day-ahead or an
Agile export). Stamps need a UTC offset; a duplicate stamp or a gap inside the file is refused
naming its line (outside the file, a tariff's own rates price the steps)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import numpy as np

from energize_desktop.imports.csv_format import ImportFormatError

STEPS_S = (900, 1800, 3600)
MAX_PRICE = 100.0  # per kWh in any currency: past this the column is not a price per kWh


def read_price_csv(path: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """(interval starts in UTC µs, price per kWh, interval seconds)."""
    stamps, prices, lines = [], [], []
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            next(reader, None)
            for line, row in enumerate(reader, start=2):
                if not row or not "".join(row).strip():
                    continue
                stamps.append(_stamp(path, line, row))
                prices.append(_price(path, line, row))
                lines.append(line)
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ImportFormatError(f"{path}: not UTF-8 text") from None
    if len(stamps) < 2:
        raise ImportFormatError(f"{path}: fewer than two prices after the header")
    ts = np.asarray(stamps, np.int64)
    order = np.argsort(ts, kind="stable")
    ts, price, at = ts[order], np.asarray(prices)[order], np.asarray(lines)[order]
    diff = np.diff(ts) // 1_000_000
    same = np.flatnonzero(diff == 0)
    if len(same):
        i = same[0]
        raise ImportFormatError(f"{path}: line {at[i + 1]}: {_iso(ts[i])} repeats line {at[i]}: "
                                "one price per interval")
    step = int(diff.min())
    if step not in STEPS_S:
        raise ImportFormatError(f"{path}: prices every {step // 60} min; expected 15, 30 or 60")
    gaps = np.flatnonzero(diff != step)
    if len(gaps):
        i = gaps[0]
        raise ImportFormatError(f"{path}: line {at[i + 1]}: {_iso(ts[i + 1])} follows "
                                f"{_iso(ts[i])}: {diff[i] // 60 - step // 60} min without a "
                                f"price in a {step // 60}-minute series")
    return ts, price, step


def _stamp(path: Path, line: int, row: list[str]) -> int:
    try:
        stamp = datetime.fromisoformat(row[0].strip().replace("Z", "+00:00"))
    except (ValueError, IndexError):
        raise ImportFormatError(f"{path}: line {line}: timestamp {row[0][:40]!r}: expected ISO "
                                "time with a UTC offset, e.g. 2025-01-01T00:00Z") from None
    if stamp.tzinfo is None:
        raise ImportFormatError(f"{path}: line {line}: timestamp {row[0]!r} needs a UTC offset "
                                "(+00:00 or Z): a local time is ambiguous at a clock change")
    return int(stamp.timestamp() * 1_000_000)


def _price(path: Path, line: int, row: list[str]) -> float:
    try:
        value = float(row[1])
    except (ValueError, IndexError):
        raise ImportFormatError(f"{path}: line {line}: price {row[1:2]!r}: expected a number per "
                                "kWh") from None
    if not np.isfinite(value) or abs(value) > MAX_PRICE:
        raise ImportFormatError(f"{path}: line {line}: price {value!r}: expected a finite price "
                                f"per kWh (|price| ≤ {MAX_PRICE:g}; a price per MWh? divide by "
                                "1000)")
    return value


def _iso(us: int) -> str:
    return str(np.datetime64(int(us), "us").astype("datetime64[m]")) + "Z"
