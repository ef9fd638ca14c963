"""Report HTML to PDF with Qt's own engine (QTextDocument + QPdfWriter): fonts are embedded
(subset TrueType), charts are the report's SVG rasterised at 2× for print, pages are numbered by
QTextDocument.print_. Works offscreen (no display) and needs no external tool."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QUrl
from PySide6.QtGui import (
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtSvg import QSvgRenderer

DPI = 150  # device pixels per inch of the PDF: charts are rasterised for it
FOOTER_MM = 8  # the band under the text that holds the page number
PAPERS = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}


def write_pdf(report, path: Path) -> int:
    """Render `report` (reports.model.Report) to `path` atomically; returns the byte size."""
    from energize_desktop.reports.html import render

    images: dict[str, QImage] = {}

    def chart_ref(index: int, chart) -> str:
        name = f"chart-{index}.png"
        images[name] = _raster(chart.svg)
        return name

    logo_ref = None
    if report.logo:
        logo_ref = "logo"
        mime, data = report.logo
        images[logo_ref] = _raster(data.decode("utf-8")) if mime == "image/svg+xml" else \
            QImage.fromData(data)
    tmp = Path(path).with_name(Path(path).name + ".part")
    writer = QPdfWriter(str(tmp))
    writer.setPageSize(QPageSize(PAPERS.get(report.paper, QPageSize.PageSizeId.A4)))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setResolution(DPI)
    text_width = writer.pageLayout().paintRectPixels(DPI).width()
    # Qt sizes an <img> in screen pixels and scales it by the printer's resolution over the
    # screen's: a chart as wide as the text is that much narrower in the HTML
    html = render(report, chart_ref, logo_ref,
                  image_width=round(text_width * _screen_dpi() / DPI))  # rasterises charts
    doc = QTextDocument()
    for name, image in images.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    doc.documentLayout().setPaintDevice(writer)  # points are the printer's, not the screen's
    doc.setHtml(html)
    _paginate(doc, writer)
    del writer  # finishes the file
    info = {"Title": f"{report.title} — {report.site}", "Subject": _subject(report),
            "Creator": "Energize Desktop", "Producer": "Energize Desktop (Qt)"}
    if report.author:
        info["Author"] = report.author + (f", {report.organisation}" if report.organisation
                                          else "")
    set_document_info(tmp, info)
    tmp.replace(path)
    return Path(path).stat().st_size


def _screen_dpi() -> float:
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    return screen.logicalDotsPerInchX() if screen is not None else 96.0


def _paginate(doc: QTextDocument, writer: QPdfWriter) -> None:
    """Lay the document out on the printer's pages and number them ("3 / 18", bottom right).
    (QTextDocument.print_ numbers pages only when it lays the document out at screen
    resolution itself, which shrank the text to two thirds of the page.)"""
    from PySide6.QtCore import QRectF, QSizeF, Qt

    page = writer.pageLayout().paintRectPixels(DPI)
    footer = FOOTER_MM / 25.4 * DPI
    body = QSizeF(page.width(), page.height() - footer)
    doc.setPageSize(body)
    pages = doc.pageCount()
    painter = QPainter(writer)
    font = painter.font()
    font.setPointSizeF(8)
    painter.setFont(font)
    for n in range(pages):
        if n:
            writer.newPage()
        painter.save()
        painter.translate(0, -n * body.height())
        doc.drawContents(painter, QRectF(0, n * body.height(), body.width(), body.height()))
        painter.restore()
        painter.drawText(QRectF(0, body.height(), body.width(), footer),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
                         f"{n + 1} / {pages}")
    painter.end()


def _subject(report) -> str:
    return f"Energy audit of {report.site}, {report.period}: " + \
        ", ".join(section.title for section in report.sections)


def set_document_info(path: Path, info: dict[str, str]) -> None:
    """Replace the PDF's document information (QPdfWriter sets no Subject) by an incremental
    update — a new Info object, one xref entry and a trailer pointing at the previous one —
    the way PDF editors add metadata without rewriting the file. Strings are UTF-16BE hex."""
    import re

    data = Path(path).read_bytes()
    trailer = data[data.rindex(b"trailer"):]
    size = int(re.search(rb"/Size\s+(\d+)", trailer).group(1))
    root = re.search(rb"/Root\s+(\d+ \d+ R)", trailer).group(1)
    ident = re.search(rb"/ID\s*\[[^\]]*\]", trailer)
    previous = int(re.search(rb"startxref\s+(\d+)", trailer).group(1))
    fields = "".join(f"/{key} <FEFF{value.encode('utf-16-be').hex().upper()}>\n"
                     for key, value in info.items())
    body = f"\n{size} 0 obj\n<<\n{fields}>>\nendobj\n".encode("ascii")
    at = len(data) + 1  # the object starts after the leading newline
    xref_at = len(data) + len(body)
    tail = (f"xref\n{size} 1\n{at:010d} 00000 n \ntrailer\n<< /Size {size + 1} /Root "
            f"{root.decode()} /Info {size} 0 R /Prev {previous} "
            f"{ident.group(0).decode() if ident else ''} >>\nstartxref\n{xref_at}\n%%EOF\n")
    with open(path, "ab") as f:
        f.write(body + tail.encode("ascii"))


def _raster(svg: str, scale: float = 2.0) -> QImage:
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    size = renderer.defaultSize()
    image = QImage(int(size.width() * scale), int(size.height() * scale),
                   QImage.Format.Format_RGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    image.setDevicePixelRatio(scale)
    return image


def write_report(report, out: Path) -> int:
    """A report to `out` as PDF or HTML by its suffix, atomically; returns the byte size."""
    out = Path(out)
    if out.suffix.lower() == ".pdf":
        return write_pdf(report, out)
    from energize_desktop.reports.html import render

    tmp = out.with_name(out.name + ".part")
    tmp.write_text(render(report), encoding="utf-8")
    tmp.replace(out)
    return out.stat().st_size
