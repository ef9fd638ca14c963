"""A two-column CSV of timestamps and numbers, hour by hour."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import numpy as np

from energize_desktop.imports.csv_format import ImportFormatError


def read_hourly_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """`timestamp,value` rows with UTC offsets (an hourly factor series, a temperature
    forecast): hour starts in UTC µs, sorted, and the values; errors name the line."""
    ts, kg = [], []
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            next(reader, None)
            for line, row in enumerate(reader, start=2):
                try:
                    stamp = datetime.fromisoformat(row[0].strip().replace("Z", "+00:00"))
                    if stamp.tzinfo is None:
                        raise ValueError("the timestamp needs a UTC offset, e.g. +00:00")
                    ts.append(int(stamp.timestamp()) // 3600 * 3600 * 1_000_000)
                    kg.append(float(row[1]))
                except (ValueError, IndexError) as exc:
                    raise ImportFormatError(f"{path}: line {line}: expected timestamp,"
                                            f"kg_per_kwh ({exc})") from None
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read ({exc.strerror})") from None
    if not ts:
        raise ImportFormatError(f"{path}: no factors after the header")
    order = np.argsort(ts)
    return np.asarray(ts, np.int64)[order], np.asarray(kg)[order]
