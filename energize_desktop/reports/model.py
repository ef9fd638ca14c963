"""A report as plain data: sections of blocks (paragraphs, key figures, tables, charts, notes).
Built from the analytics by reports/build.py, rendered to HTML by reports/html.py and to PDF by
runtime/pdf.py. Every number travels with its unit."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Bullets:
    """A short list (the summary's top findings)."""

    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Note:
    """Something missing or worth a caveat, said plainly instead of a blank section."""

    text: str


@dataclass(frozen=True)
class Figure:
    label: str
    value: str  # formatted, with its unit
    detail: str = ""


@dataclass(frozen=True)
class KeyFigures:
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]  # each header carries its unit, e.g. "Energy (kWh)"
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


@dataclass(frozen=True)
class Chart:
    svg: str
    caption: str


@dataclass
class Section:
    key: str
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Report:
    title: str
    site: str
    period: str
    author: str
    organisation: str
    created: str
    paper: str = "A4"
    logo: tuple[str, bytes] | None = None  # (mime type, image bytes)
    sections: list[Section] = field(default_factory=list)


SECTIONS = ("summary", "breakdown", "charts", "anomalies", "baseline", "recommendations",
            "quality", "methodology")
