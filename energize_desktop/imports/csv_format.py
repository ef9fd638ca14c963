"""What a CSV file looks like: the answer of the sniffer, and the body of a saved profile."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import cast

from energize_desktop.core.errors import UnitError, ValidationError
from energize_desktop.core.units import parse_unit


class ImportFormatError(ValidationError):
    """A file cannot be read as asked; the message names file, line and column."""


class SniffQuestion(ImportFormatError):
    """The data cannot tell (e.g. 01/02/2024 with no day above 12); the message says which flag
    answers the question."""


SHAPES = ("long", "wide", "intervals")


@dataclass
class CsvFormat:
    encoding: str = "utf-8"
    delimiter: str = ","
    decimal: str = "."
    thousands: str | None = None
    skip_lines: int = 0  # preamble lines before the header
    header: bool = True
    columns: list[str] = field(default_factory=list)  # header names, in file order
    shape: str = "long"
    time_column: str = ""
    clock_column: str | None = None  # a separate time-of-day column ("Date","Time" files)
    time_format: str = ""  # strptime format, or "epoch_s" / "epoch_ms"
    meter_column: str | None = None  # long: names the meter of each row
    # long: columns whose values split one meter into several series (Register: offtake /
    # injection × day / night; a Unit column giving m³ and kWh of every hour)
    key_columns: list[str] = field(default_factory=list)
    value_column: str | None = None  # long: the reading
    unit_column: str | None = None
    quality_column: str | None = None
    # wide: meters; intervals: slots; long: further value columns of the same device (L1/L2/L3)
    value_columns: list[str] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)  # column or meter name -> unit
    timezone: str | None = None  # None: the site's zone (naive times are local)
    ts_marks: str = "start"  # does a timestamp mark the start or the end of its interval?
    interval_s: int | None = None
    notes: list[str] = field(default_factory=list)  # how each decision was made
    skipped: dict[str, str] = field(default_factory=dict)  # column -> why it is not imported

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("notes")
        d.pop("skipped")
        return d

    @classmethod
    def from_dict(cls, data: dict) -> "CsvFormat":
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValidationError(f"profile: unknown field(s) {', '.join(sorted(unknown))}")
        fmt = cls(**data)
        if fmt.shape not in SHAPES:
            raise ValidationError(f"profile: shape {fmt.shape!r} is not one of {SHAPES}")
        if fmt.ts_marks not in ("start", "end"):
            raise ValidationError("profile: ts_marks must be 'start' or 'end'")
        return fmt


# Header words, compared after folding case and dropping punctuation.
TIME_NAMES = {"timestamp", "time", "datetime", "date", "ts", "start", "starttime", "end",
              "endtime", "intervalstart", "intervalend", "readingtime", "localtime", "dt",
              "period", "from", "to", "utc", "epoch", "unixtime", "readdate", "readingdate",
              "datetimeutc", "timestamputc", "intervalstartdate", "usagedate", "day"}
CLOCK_NAMES = {"time", "starttime", "endtime", "hour", "clock", "timeofday", "intervaltime"}
METER_NAMES = {"meter", "meterid", "metername", "channel", "sensor", "device", "point",
               "buildingid", "building", "nmi", "register", "series", "serial", "mpan", "mprn",
               "esiid", "site", "siteid", "meternumber", "account", "name", "id", "tag", "signal",
               "meternummer", "zahlernummer", "zaehlernummer", "compteur",
               "serialnumber", "deviceid", "contador"}
VALUE_NAMES = {"value", "reading", "readings", "kwh", "consumption", "usage", "energy",
               "meterreading", "amount", "quantity", "val", "reading_value", "readingvalue",
               "data", "import", "netusage", "usagekwh", "consumptionkwh"}
UNIT_NAMES = {"unit", "units", "uom", "unitofmeasure"}
QUALITY_NAMES = {"quality", "flag", "qualityflag", "status", "estimated", "readtype",
                 "qualitycode", "readingquality", "methodflag"}


def fold(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


_UNIT_IN_HEADER = re.compile(r"^(?P<name>.*?)\s*[\[(](?P<unit>[^\])]+)[\])]\s*$")
_UNIT_SUFFIX = re.compile(r"^(?P<name>.+?)[\s_\-.](?P<unit>[A-Za-z°³0-9/]+)$")


_TOKEN = re.compile(r"[^\s\[\]()_,;:|/]+")
_PHASE = {"A", "B", "C", "L1", "L2", "L3", "N"}  # "(A)" after a unit is the phase, not amperes


def unit_from_header(header: str) -> tuple[str, str | None]:
    """('Main', 'kWh') from 'Main [kWh]', 'Main (kWh)', 'main_kwh' or 'tempC'; ('Active energy
    (A)', 'Wh') from 'Active energy Wh (A)' — a unit of two or more letters wherever it stands;
    else (header, None)."""
    match = _UNIT_IN_HEADER.match(header)
    inside = match["unit"].strip() if match else ""
    if match and known_unit(inside) and not (inside in _PHASE and _unit_token(match["name"])):
        return match["name"].strip() or header, known_unit(inside)
    match = _UNIT_SUFFIX.match(header.strip())
    if match and known_unit(match["unit"]) and len(match["unit"]) > 1:
        return match["name"], known_unit(match["unit"])
    found = _unit_token(header) or _bracketed_anywhere(header)
    if found:
        token, unit = found
        word = rf"[\[(]?\s*(?<![\w]){re.escape(token)}(?![\w])\s*[\])]?"
        name = re.sub(r"\s{2,}", " ", re.sub(word, " ", header, count=1)).strip(" _-.")
        return name or header, unit
    folded = header.strip()
    for suffix, unit in (("tempC", "°C"), ("tempF", "°F"), ("degC", "°C"), ("degF", "°F")):
        if folded.endswith(suffix):
            return header, unit
    if known_unit(folded) and len(folded) > 1:
        return header, known_unit(folded)
    return header, None


def _unit_token(text: str) -> tuple[str, str] | None:
    """The one unit written as a word of two or more characters in `text` ('Wh' in 'Active
    energy Wh (A)', 'kWh' in 'Verbrauch kWh Bezug'); None when there is none or several differ.
    A single letter (A, V, W, C, L) stands for a unit only in brackets or as a suffix: as a bare
    word it is as often a phase, a channel or an initial."""
    units: dict[str, str] = {}
    for token in _TOKEN.findall(text):
        unit = known_unit(token) if len(token) > 1 and not token.isdigit() else None
        if unit and unit != "%":
            units.setdefault(unit, token)
    if len(units) != 1:
        return None
    unit, token = next(iter(units.items()))
    return token, unit


def _bracketed_anywhere(text: str) -> tuple[str, str] | None:
    """'(W)' in 'Power (W) L1': a bracketed unit that does not end the header."""
    for match in re.finditer(r"[\[(]([^\])\[(]+)[\])]", text):
        inside = match[1].strip()
        if inside not in _PHASE and known_unit(inside):
            return match[0], cast(str, known_unit(inside))
    return None


def known_unit(text: str) -> str | None:
    try:
        unit = parse_unit(text)
    except UnitError:
        return None
    return unit.symbol if unit.symbol else None
