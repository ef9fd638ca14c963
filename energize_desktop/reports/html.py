"""A report as one HTML document: a cover, a table of contents, the sections. Every string from
the workspace is escaped (names may hold <, &, quotes, right-to-left text or emoji). Charts are
inline SVG in the .html file; the PDF renderer asks for image references instead."""

from __future__ import annotations

import re
from html import escape

from energize_desktop.reports.model import (
    Bullets,
    Chart,
    KeyFigures,
    Note,
    Para,
    Report,
    Table,
)

CSS = """
body { font-family: 'DejaVu Sans', sans-serif; font-size: 10pt; color: #222; }
h1 { font-size: 22pt; margin-bottom: 4pt; } h2 { font-size: 14pt; color: #1f4e79;
  border-bottom: 1px solid #1f4e79; margin-top: 18pt; }
table { margin: 6pt 0; border-color: #bbb; } td, th { vertical-align: top; } th { background: #e8eef5; text-align: left; }
.figures td { border: none; padding: 3pt 10pt 3pt 0; } .value { font-size: 13pt;
  font-weight: bold; } .note { color: #8a5a00; font-style: italic; } .caption { color: #555;
  font-size: 9pt; } .cover { margin-top: 120pt; }
h2.section, h2.contents { page-break-before: always; }
"""

# A figure in a cell: digits with an optional currency before or unit after ("GBP 1,200",
# "363,564 kWh", "63.6%", "−4.2 °C"); such cells are right-aligned so columns of figures line up.
NUMBER = re.compile(r"^([A-Z]{3} )?[−+-]?\d[\d,]*(\.\d+)?( ?(%|[A-Za-z°µ][^\s]*( [^\s]+)?))?$")


def render(report: Report, chart_ref=None, logo_ref: str | None = None,
           image_width: int = 620) -> str:
    """`chart_ref(index, chart)` returns an <img> source for the PDF; None = inline SVG.
    `logo_ref` names the logo resource for the PDF; the HTML embeds it as a data URI.
    `image_width`: a chart's width in the PDF's device pixels (the text width)."""
    title = f"{escape(report.title)} — {escape(report.site)}"
    out = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
           f"<style>{CSS}</style></head><body>", _cover(report, logo_ref), _toc(report)]
    counter = [0, image_width]
    for n, section in enumerate(report.sections, 1):
        # each section starts a page: the one-page summary stands alone, a client can print
        # any one section
        out.append(f"<h2 class='section' id='s{n}'>{n}. {escape(section.title)}</h2>")
        out += [_block(b, chart_ref, counter) for b in section.blocks]
    out.append("</body></html>")
    return "\n".join(out)


def _cover(r: Report, logo_ref: str | None) -> str:
    import base64

    logo = ""
    if r.logo:
        src = logo_ref or f"data:{r.logo[0]};base64,{base64.b64encode(r.logo[1]).decode()}"
        logo = f"<p><img src='{src}' height='60'></p>"
    org = f"{logo}<p>{escape(r.organisation)}</p>" if r.organisation or logo else ""
    author = f"<p>Prepared by {escape(r.author)}</p>" if r.author else ""
    return (f"<div class='cover'><h1>{escape(r.title)}</h1><p class='value'>{escape(r.site)}"
            f"</p><p>Period: {escape(r.period)}</p>{org}{author}<p>Generated {escape(r.created)}"
            " by Energize Desktop</p></div>")


def _toc(r: Report) -> str:
    items = "".join(f"<li><a href='#s{n}'>{escape(s.title)}</a></li>"
                    for n, s in enumerate(r.sections, 1))
    return f"<h2 class='contents'>Contents</h2><ol>{items}</ol>"


def _block(b, chart_ref, counter) -> str:
    if isinstance(b, Para):
        return f"<p>{escape(b.text)}</p>"
    if isinstance(b, Bullets):
        items = "".join(f"<li>{escape(i)}</li>" for i in b.items)
        return f"<p><b>{escape(b.title)}</b></p><ul>{items}</ul>"
    if isinstance(b, Note):
        return f"<p class='note'>{escape(b.text)}</p>"
    if isinstance(b, KeyFigures):
        # Qt's rich text ignores cell padding: the spaces keep a label off its value
        cells = "".join(f"<tr><td nowrap>{escape(f.label)}&nbsp;&nbsp;&nbsp;</td>"
                        f"<td class='value' nowrap>{escape(f.value)}</td>"
                        f"<td class='caption'>{escape(f.detail)}</td></tr>" for f in b.figures)
        return f"<table class='figures'>{cells}</table>"
    if isinstance(b, Table):
        return _table(b)
    if isinstance(b, Chart):
        counter[0] += 1
        body = b.svg if chart_ref is None else \
            f"<img src='{chart_ref(counter[0], b)}' width='{counter[1]}' " \
            f"height='{round(counter[1] * _aspect(b.svg))}'>"
        return f"<div>{body}<p class='caption'>Figure {counter[0]}: {escape(b.caption)}</p></div>"
    raise TypeError(f"unknown report block {type(b).__name__}")


def _aspect(svg: str) -> float:
    """Height over width of an SVG chart (from its viewBox)."""
    found = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    return float(found.group(2)) / float(found.group(1)) if found else 0.4


def _table(b: Table) -> str:
    """A table whose header repeats on every page it spans (<thead>: Qt's header rows), with
    padded cells and figures right-aligned."""
    head = "".join(f"<th{_width(c)}{'' if ' ' in c else ' nowrap'}>{escape(c)}</th>"
                   for c in b.columns)
    rows = "".join("<tr>" + "".join(_cell(str(v)) for v in row) + "</tr>" for row in b.rows)
    caption = f"<p class='caption'>{escape(b.caption)}</p>" if b.caption else ""
    return (f"{caption}<table width='100%' border='0.5' cellpadding='4' cellspacing='0' style='border-collapse: collapse'>"
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


WIDE = ("Explanation", "Message", "Evidence", "Assumption")  # the prose columns get the room


DATE = re.compile(r"^\d{4}-\d\d-\d\d( \d\d:\d\d)?$")


NAMED = ("Meter", "Site")  # a name is read whole: "Building consumption", never "consumptio n"
FIGURES = ("At stake",)  # "2,829.4 kWh" on one line, never "2,829.4 kW / h"


def _width(column: str) -> str:
    share = 34 if column in WIDE else 16 if column in NAMED else 14 if column in FIGURES else 0
    return f" width='{share}%'" if share else ""


def _cell(text: str) -> str:
    figure = bool(NUMBER.match(text.strip())) or text == "–"
    align = " align='right'" if figure else ""
    body = escape(text)
    if figure or DATE.match(text):  # a figure or a date stays on one line
        body = body.replace(" ", "&nbsp;")
    return f"<td{align}>{body}</td>"
