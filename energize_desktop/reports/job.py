"""Building a report and writing it, as one job for the CLI and the window: the model from the
workspace (reports/build), then the file by the writer given (PDF through Qt's engine in
runtime/pdf, which this layer may not import, or HTML)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from energize_desktop.core.errors import ValidationError
from energize_desktop.jobs.base import Job
from energize_desktop.reports.build import Template, build_report
from energize_desktop.storage.api import WorkspaceAPI

SUFFIXES = (".pdf", ".html", ".htm")


class ReportJob(Job):
    title = "Report"

    def __init__(self, ws: WorkspaceAPI, site, period: str | None, template: Template, out: Path,
                 write: Callable[[object, Path], int]):
        self.ws, self.site, self.period, self.template = ws, site, period, template
        self.out, self.write = Path(out), write

    def prepare(self) -> None:
        if self.out.suffix.lower() not in SUFFIXES:
            raise ValidationError(f"{self.out}: expected a .pdf or .html file", field="out")

    def run(self, progress=None, cancelled=None) -> tuple[str, int, object]:
        """(path written, its size in bytes, the report model)."""
        report = build_report(self.ws, self.site, self.period, self.template, progress)
        return str(self.out), self.write(report, self.out), report
