"""The demo report (13 months, 8 meters): build + PDF, build + HTML, and the PDF's size.
No peer runs here: emoncms and Home Assistant have no report, Grafana's is in its paid edition;
the HTML render of the same model stands beside the PDF as the cost of the print engine."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from benchmarks.common import Figure, Result, median_time


def run() -> Result:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from energize_desktop.app import create_app
    from energize_desktop.demo.build import build_demo
    from energize_desktop.reports.build import build_report
    from energize_desktop.reports.html import render
    from energize_desktop.runtime.pdf import write_pdf
    from energize_desktop.storage import Workspace

    create_app([])
    work = Path(tempfile.mkdtemp(prefix="energize-report-"))
    demo = build_demo(work / "demo.energize")
    pdf, html = work / "r.pdf", work / "r.html"
    with Workspace.open(demo, read_only=True) as ws:
        t_pdf = median_time(lambda: write_pdf(build_report(ws), pdf), 3, 1)
        t_html = median_time(lambda: html.write_text(render(build_report(ws))), 3, 1)
    result = Result("reports", "HTML render of the same report (no PDF engine)")
    result.figures += [
        Figure("demo report (13 months, 8 meters) built and written as PDF", "s", t_pdf,
               t_html, False, "< 10 s", "peer column: the same report as HTML"),
        Figure("PDF size", "MB", pdf.stat().st_size / 1e6, html.stat().st_size / 1e6, False,
               "< 5 MB", "peer column: the HTML file (inline SVG charts)")]
    return result
