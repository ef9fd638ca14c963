"""Import profiles: a CSV mapping saved by name in the workspace and reused for the next file.

A saved profile is a whole format (no sniffing). Built-in profiles are partial: they are applied
on top of what the sniffer found, to force a shape or name the columns of a known export.
"""

from __future__ import annotations

import json

from energize_desktop.core.errors import ValidationError
from energize_desktop.imports.csv_format import CsvFormat

PREFIX = "import_profile:"

BUILTIN: dict[str, dict] = {
    "generic-long": {"shape": "long"},
    "generic-wide": {"shape": "wide"},
    "generic-intervals": {"shape": "intervals"},
    # The 'Download my data' CSV of US utilities (PG&E, SDG&E, ...): a preamble, then
    # TYPE,DATE,START TIME,END TIME,USAGE,UNITS,COST,NOTES; interval starts in local time.
    "green-button-csv": {"shape": "long", "meter_column": "TYPE", "time_column": "DATE",
                         "clock_column": "START TIME", "value_column": "USAGE",
                         "unit_column": "UNITS", "ts_marks": "start"},
}


def names(ws) -> list[str]:
    saved = [k[len(PREFIX):] for k in _keys(ws)]
    return sorted(BUILTIN) + sorted(saved)


def save(ws, name: str, fmt: CsvFormat) -> None:
    if not name.strip() or name in BUILTIN:
        raise ValidationError(f"profile name {name!r}: empty or taken by a built-in profile")
    ws.set_meta(PREFIX + name, json.dumps(fmt.to_dict()))


def load(ws, name: str) -> tuple[dict, bool]:
    """(fields, complete): complete profiles replace sniffing, partial ones amend it."""
    if name in BUILTIN:
        return dict(BUILTIN[name]), False
    text = ws.get_meta(PREFIX + name) if ws is not None else None
    if text is None:
        raise ValidationError(f"profile {name!r} not found; profiles: {', '.join(names(ws))}")
    return json.loads(text), True


def apply(fmt: CsvFormat, fields: dict) -> CsvFormat:
    data = fmt.to_dict()
    data.update(fields)
    out = CsvFormat.from_dict(data)
    out.notes = fmt.notes + [f"profile fields: {', '.join(sorted(fields))}"]
    if "clock_column" in fields and fields["clock_column"] and " " not in out.time_format:
        out.time_format += " %H:%M"
    return out


def _keys(ws) -> list[str]:
    if ws is None:
        return []
    return [k for k in ws.meta_keys() if k.startswith(PREFIX)]
