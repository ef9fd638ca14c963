"""Recognising timestamp formats from sample values (no per-row guessing at read time)."""

from __future__ import annotations

import re
from datetime import datetime

from energize_desktop.imports.csv_format import SniffQuestion

_YMD = re.compile(r"^(\d{4})([-/.]?)(\d{1,2})\2(\d{1,2})")
_XXY = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")
_TIME = re.compile(r"^(?P<sep>[ T]+)(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?P<f>\.\d+)?)?"
                   r"\s*(?P<ampm>[AaPp][Mm])?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$")
_CLOCK = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?$")


def normalise(value: str) -> str:
    """What both the sniffer and the reader parse: 'Z' as +00:00, 24:00 as 00:00."""
    v = value.strip()
    if v.endswith("Z"):
        v = v[:-1] + "+00:00"
    return v.replace(" 24:", " 00:").replace("T24:", "T00:")


def candidates(value: str) -> list[str]:
    """strptime formats that could have written `value` (two when day/month order is open)."""
    v = normalise(value)
    m = _YMD.match(v)
    if m:
        dates = [f"%Y{m[2]}%m{m[2]}%d"]
    else:
        m = _XXY.match(v)
        if not m:
            return []
        year = "%Y" if len(m[4]) == 4 else "%y"
        dates = [f"%d{m[2]}%m{m[2]}{year}", f"%m{m[2]}%d{m[2]}{year}"]
    rest = v[m.end():]
    if not rest:
        return dates
    t = _TIME.match(rest)
    if not t:
        return []
    clock = ("%I" if t["ampm"] else "%H") + ":%M" + (":%S" if t["s"] else "")
    clock += ".%f" if t["f"] else ""
    if t["ampm"]:
        clock += " %p" if re.search(r"\s[AaPp][Mm]", rest) else "%p"
    tz = "%z" if t["tz"] else ""
    return [f"{d}{t['sep']}{clock}{tz}" for d in dates]


def clock_format(value: str) -> str | None:
    t = _CLOCK.match(value.strip())
    if not t:
        return None
    fmt = ("%I" if t["ampm"] else "%H") + ":%M" + (":%S" if t["s"] else "")
    if t["ampm"]:
        fmt += " %p" if " " in value.strip() else "%p"
    return fmt


def parses(fmt: str, values: list[str]) -> bool:
    """All values fit `fmt`, but for a stray few (a bad row is reported by the reader)."""
    bad = 0
    for v in values:
        try:
            datetime.strptime(normalise(v), fmt)
        except ValueError:
            bad += 1
            if bad > tolerance(len(values)):
                return False
    return True


def tolerance(n: int) -> int:
    return max(1, n // 10) if n >= 3 else 0


def decide(values: list[str], column: str) -> str | None:
    """The one format that reads every sample value, or None if they are not timestamps.

    Raises SniffQuestion when both day-first and month-first read everything and the order of
    the data does not settle it.
    """
    values = [v for v in values if v.strip()]
    if not values:
        return None
    firsts = [candidates(v) for v in values[:5]]
    formats = next((c for c in firsts if c), [])
    fits = [f for f in formats if parses(f, values)]
    if len(fits) <= 1:
        return fits[0] if fits else None
    ordered = [f for f in fits if _steady(f, values)]
    if len(ordered) == 1:
        return ordered[0]
    raise SniffQuestion(
        f"column {column!r}: dates such as {values[0]!r} could be day-first or month-first and "
        "the data does not tell; choose the date order (DMY or MDY)", field="date_order")


def _steady(fmt: str, values: list[str]) -> bool:
    """Consecutive sample timestamps move forward in small, regular steps under `fmt`."""
    stamps = []
    for v in values:
        try:
            stamps.append(datetime.strptime(normalise(v), fmt))
        except ValueError:
            continue
    steps = [(b - a).total_seconds() for a, b in zip(stamps, stamps[1:])]
    if not steps:
        return True
    backwards = sum(s < -7200 for s in steps)  # an autumn DST hour may step back 1 h
    big = sum(s > 40 * 86400 for s in steps)
    return backwards == 0 and big <= 1  # one jump from the head sample to the tail sample


def apply_date_order(fmt: str, order: str) -> str:
    """Turn a day-first format into month-first or back ('DMY'/'MDY'), for a date order the user chose."""
    order = order.upper()
    if order not in ("DMY", "MDY"):
        return order  # an explicit strptime format
    day_first = fmt.find("%d") < fmt.find("%m")
    if (order == "DMY") == day_first:
        return fmt
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def epoch_unit(values: list[str]) -> str | None:
    """'epoch_s' or 'epoch_ms' for a column of Unix times, else None."""
    try:
        nums = [float(v) for v in values if v.strip()]
    except ValueError:
        return None
    if not nums:
        return None
    if all(3e8 <= n <= 4.2e9 for n in nums):
        return "epoch_s"
    if all(3e11 <= n <= 4.2e12 for n in nums):
        return "epoch_ms"
    return None
