"""Number styles in files: decimal point or comma, and thousands separators."""

from __future__ import annotations

import re

from energize_desktop.imports.csv_format import SniffQuestion

# (decimal, thousands) pairs a file may use; thousands None means no grouping.
STYLES = ((".", None), (",", None), (".", ","), (",", "."), (".", " "), (",", " "), (".", "'"))
_SPACES = "\u00a0\u202f"
# Written by loggers and spreadsheets for "no value": a gap, never a zero.
NULL_TOKENS = ("NA", "N/A", "n/a", "na", "null", "NULL", "None", "-", "--", "#N/A", "nan", "NaN")


def _pattern(decimal: str, thousands: str | None) -> re.Pattern:
    d = re.escape(decimal)
    frac = rf"(?:{d}\d+)?"
    exp = r"(?:[eE][+-]?\d+)?"
    if thousands is None:
        return re.compile(rf"^[+-]?(?:\d+{frac}|{d}\d+){exp}$")
    t = re.escape(thousands)
    return re.compile(rf"^[+-]?[1-9]\d{{0,2}}(?:{t}\d{{3}})+{frac}$")  # no leading zero


_PATTERNS = {style: _pattern(*style) for style in STYLES}


def clean(value: str) -> str:
    v = value.strip().strip('"')
    for ch in _SPACES:
        v = v.replace(ch, " ")
    return v


def styles_of(value: str) -> set:
    """Styles under which `value` is a number (grouped styles also read ungrouped numbers)."""
    v = clean(value)
    if v in NULL_TOKENS:
        return set(STYLES)
    plain = {s for s in STYLES if s[1] is None and _PATTERNS[s].match(v)}
    grouped = {s for s in STYLES if s[1] is not None and _PATTERNS[s].match(v)}
    # A number with no grouping is also valid in a grouped style with the same decimal mark.
    grouped |= {s for s in STYLES if s[1] is not None and (s[0], None) in plain
                and (s[0] in v or not any(c in v for c in ".,"))}
    return plain | grouped


def is_numeric(values: list[str]) -> bool:
    """Numbers, but for a stray few (a bad row is reported with its line by the reader)."""
    vals = [v for v in values if v.strip() and clean(v) not in NULL_TOKENS]
    bad = sum(not styles_of(v) for v in vals)
    return len(vals) > bad and bad <= (max(1, len(vals) // 10) if len(vals) >= 3 else 0)


def decide_style(columns: dict[str, list[str]], delimiter: str) -> tuple[str, str | None, str]:
    """(decimal, thousands, note) valid for every numeric value of the file."""
    possible = set(STYLES)
    example: dict[str, str] = {}
    for values in columns.values():
        for v in values:
            if v.strip() and styles_of(v):
                s = styles_of(v)
                if s != possible & s and len(possible & s) < len(possible):
                    example.setdefault("narrowed", v)
                possible &= s
                if "," in v and len(s) > 1:
                    example.setdefault(",", v)
                if "." in v and len(s) > 1:
                    example.setdefault(".", v)
    if delimiter == ",":
        possible = {s for s in possible if "," not in (s[0], s[1] or "")} or possible
    if not possible:
        raise SniffQuestion("numbers mix decimal styles (e.g. both 1.5 and 1,5); choose the "
                            "decimal mark", field="decimal")
    for preferred in ((".", None), (",", None)):
        if preferred in possible:
            rivals = {s for s in possible if s != preferred and s[0] != preferred[0]}
            if preferred[0] == "," and rivals and delimiter == ";":
                # Semicolon files come from locales that write decimal commas.
                return ",", None, (f"values such as {example.get(',', '')!r} read with ',' as "
                                   "decimal mark (semicolon-separated file); choose '.' as "
                                   "decimal mark if ',' separates thousands")
            if preferred[0] == "," and rivals:
                v = example.get(",", "")
                raise SniffQuestion(f"values such as {v!r} could use ',' as decimal mark or as "
                                    "thousands separator; choose the decimal mark (, or .)",
                                    field="decimal")
            note = ""
            if rivals and "." in example:
                note = (f"values such as {example['.']!r} read with '.' as decimal point; "
                        "choose ',' as decimal mark if '.' separates thousands")
            return preferred[0], None, note
    decimal, thousands = sorted(possible, key=STYLES.index)[0]
    return decimal, thousands, f"'{thousands}' separates thousands"
