"""Import profiles: a CSV mapping reused for the next file. A profile saved in a workspace
(jobs/import_profiles) is a whole format (no sniffing). Built-in profiles are partial: they are
applied on top of what the sniffer found, to force a shape or name the columns of a known
export.
"""

from __future__ import annotations

from energize_desktop.imports.csv_format import CsvFormat

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


def apply(fmt: CsvFormat, fields: dict) -> CsvFormat:
    data = fmt.to_dict()
    data.update(fields)
    out = CsvFormat.from_dict(data)
    out.notes = fmt.notes + [f"profile fields: {', '.join(sorted(fields))}"]
    if "clock_column" in fields and fields["clock_column"] and " " not in out.time_format:
        out.time_format += " %H:%M"
    return out
