"""Utility bills for reconciliation: a bill CSV or the billing periods of a Green Button file.

Bill CSV: a header with `start`, `end`, an amount column named by its unit (`kWh`, `MWh`,
`therm`, `m³`…) or `amount` + `unit`, and optionally `cost` (+ `currency`). Dates are the site's
local dates as printed on the bill: `end` is the last day billed (inclusive) unless every period
starts on the previous one's end date, which means the ends are exclusive.

A bill CSV with one date per bill (`bill date`, `read date`, `statement date`…) is the meter
read on that date: each period runs from the previous bill's date to its own. The first bill's
period starts `days` before its date when a days column says so; without one it has no start
and is left out, said in the notes.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from energize_desktop.core.units import parse_unit
from energize_desktop.imports.csv_format import ImportFormatError, unit_from_header

START_NAMES = ("start", "from", "period start", "start date", "billing start")
END_NAMES = ("end", "to", "period end", "end date", "billing end")
DATE_NAMES = ("bill date", "read date", "statement date", "billing date", "meter read date",
              "invoice date", "date", "period ending", "bill period end")
DAYS_NAMES = ("days", "billing days", "billed days", "number of days", "days in period",
              "bill days", "days billed")


def read_bills(path: Path, tz: str, notes: list[str] | None = None) -> list[dict]:
    """The bills of a file; what was inferred or left out is appended to `notes`."""
    path = Path(path)
    if path.suffix.lower() == ".xml":
        return _green_button(path)
    return _csv(path, tz, notes if notes is not None else [])


def _green_button(path: Path) -> list[dict]:
    from energize_desktop.imports.greenbutton import GreenButtonSource

    source = GreenButtonSource(path)
    if not source.billing:
        raise ImportFormatError(f"{path}: no billing periods (readings of 20 days or longer) in "
                                "this Green Button file")
    out = []
    for b in source.billing.values():
        for start, dur, amount, cost in zip(b["start_s"], b["duration_s"], b["amount"],
                                            b["cost"]):
            out.append({"start_us": int(start) * 1_000_000, "end_us": int(start + dur) * 1_000_000,
                        "amount": float(amount), "unit": b["unit"],
                        "cost": None if cost != cost else float(cost), "currency": b["currency"]})
    return out


def _csv(path: Path, tz: str, notes: list[str]) -> list[dict]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"{path}: cannot read ({exc})") from None
    if len(rows) < 2:
        raise ImportFormatError(f"{path}: expected a header and at least one bill")
    header = [" ".join(h.replace("\xa0", " ").strip().lower().split()) for h in rows[0]]
    cols = _columns(path, header, rows[0])
    periods = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        periods.append(_bill(path, line, row, cols))
    if cols["start"] is None:
        periods = _from_bill_dates(path, periods, notes)
    else:
        _ends_to_exclusive(periods)
    zone = ZoneInfo(tz)
    for p in periods:
        p["start_us"] = _us(p.pop("start"), zone)
        p["end_us"] = _us(p.pop("end"), zone)
        p.pop("days", None)
        p.pop("line", None)
    return periods


def _columns(path: Path, header: list[str], raw: list[str]) -> dict:
    def find(names):
        return next((header.index(n) for n in names if n in header), None)

    start, end = find(START_NAMES), find(END_NAMES)
    if start is None:  # one date per bill: the meter read that closes its period
        end = end if end is not None else find(DATE_NAMES)
    unit_col, amount = find(("unit",)), find(("amount", "usage", "consumption"))
    unit = None
    if amount is None:
        for i, h in enumerate(raw):  # 'kWh', 'Usage (kWh)', 'Verbrauch m³'
            named = unit_from_header(h.replace("\xa0", " ").strip())[1]
            try:
                if named and parse_unit(named).dimension.value in ("energy", "volume"):
                    amount, unit = i, named
                    break
            except Exception:  # noqa: BLE001 - a column that is not a unit name
                continue
    if end is None or amount is None or (unit is None and unit_col is None):
        raise ImportFormatError(
            f"{path}: line 1: expected columns start and end (or one bill date per row) and "
            f"an amount named by its unit (kWh, therm, m³…) or amount + unit; found "
            f"{', '.join(raw)}")
    return {"start": start, "end": end, "amount": amount, "unit": unit, "unit_col": unit_col,
            "days": find(DAYS_NAMES) if start is None else None,
            "cost": find(("cost", "total", "amount due")), "currency": find(("currency",))}


def _bill(path: Path, line: int, row: list[str], cols: dict) -> dict:
    def cell(key):
        i = cols[key]
        return row[i].strip() if i is not None and i < len(row) else ""

    try:
        end = _date(cell("end"))
        start = _date(cell("start")) if cols["start"] is not None else None
        days = _days(cell("days")) if cols.get("days") is not None else None
    except ValueError as exc:
        raise ImportFormatError(f"{path}: line {line}: {exc}") from None
    if start is not None and end < start:
        raise ImportFormatError(f"{path}: line {line}: the period ends ({end}) before it starts "
                                f"({start})")
    unit = cols["unit"] or cell("unit_col")
    try:
        parse_unit(unit)
        amount = float(cell("amount").replace(",", ""))
        cost = float(cell("cost").replace(",", "").lstrip("$£€")) if cell("cost") else None
    except ValueError as exc:
        raise ImportFormatError(f"{path}: line {line}: expected numbers in the amount and cost "
                                f"columns and a known unit ({exc})") from None
    return {"start": start, "end": end, "amount": amount, "unit": unit, "cost": cost,
            "currency": cell("currency") or None, "days": days, "line": line}


def _days(text: str) -> int | None:
    if not text:
        return None
    try:
        days = int(float(text.replace(",", "")))
    except ValueError:
        raise ValueError(f"days {text!r}: expected a whole number of days") from None
    if not 1 <= days <= 400:
        raise ValueError(f"days {days}: expected 1 to 400 days in a billing period")
    return days


def _from_bill_dates(path: Path, bills: list[dict], notes: list[str]) -> list[dict]:
    """Periods from one date per bill: each from the previous bill's date to its own (ends
    exclusive), or `days` before its date where a days column gives them."""
    bills = sorted(bills, key=lambda b: b["end"])
    for a, b in zip(bills, bills[1:]):
        if a["end"] == b["end"]:
            raise ImportFormatError(f"{path}: lines {a['line']} and {b['line']}: two bills "
                                    f"dated {a['end']}: expected one bill per date")
    out = []
    for i, bill in enumerate(bills):
        if bill["days"]:
            bill["start"] = bill["end"] - timedelta(days=bill["days"])
        elif i:
            bill["start"] = bills[i - 1]["end"]
        else:
            notes.append(f"{path.name}: line {bill['line']}: the first bill ({bill['end']}) "
                         "has no start (no earlier bill and no days given): left out")
            continue
        out.append(bill)
    notes.append(f"{path.name}: one date per bill: each period runs from the previous bill's "
                 "date to its own" + (", or its days before it" if any(b["days"] for b in bills)
                                      else ""))
    return out


def _date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (expected YYYY-MM-DD or DD/MM/YYYY)")


def _ends_to_exclusive(periods: list[dict]) -> None:
    ordered = sorted(periods, key=lambda p: p["start"])
    exclusive = len(ordered) > 1 and all(a["end"] == b["start"] for a, b in
                                         zip(ordered, ordered[1:]))
    if not exclusive:
        for p in periods:
            p["end"] = p["end"] + timedelta(days=1)


def _us(d: date, zone) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=zone).timestamp() * 1_000_000)
