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
    html = render(report, chart_ref, logo_ref)
    doc = QTextDocument()
    for name, image in images.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    doc.setHtml(html)
    tmp = Path(path).with_name(Path(path).name + ".part")
    writer = QPdfWriter(str(tmp))
    writer.setPageSize(QPageSize(PAPERS.get(report.paper, QPageSize.PageSizeId.A4)))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setResolution(150)
    writer.setTitle(f"{report.title} — {report.site}")
    writer.setCreator("Energize Desktop")
    if report.author:  # the PDF's own metadata, as a document system files it
        writer.setAuthor(report.author + (f", {report.organisation}" if report.organisation
                                          else ""))
    doc.print_(writer)  # no page size set on the document: Qt numbers the pages
    del writer  # finishes the file
    tmp.replace(path)
    return Path(path).stat().st_size


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
