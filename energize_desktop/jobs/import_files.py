"""Importing files as the window asks for it: one file after another, each transactional, with
progress and a cancel that stops inside a file (the file being read is rolled back whole;
files already imported stay)."""

from __future__ import annotations

from dataclasses import dataclass, field

from energize_desktop.core.errors import EnergizeError
from energize_desktop.jobs.importer import ImportOptions, import_file

STEPS = 1000  # progress resolution per file


class ImportCancelled(EnergizeError):
    pass


@dataclass
class ImportOutcome:
    reports: list = field(default_factory=list)  # FileReport of each file stored (or previewed)
    errors: list[str] = field(default_factory=list)  # one line per file that failed
    cancelled: bool = False
    profiles: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [r.text() for r in self.reports] + [f"failed: {e}" for e in self.errors]
        parts += [f"saved CSV profile {p!r}: pick it next time with the same layout"
                  for p in dict.fromkeys(self.profiles)]
        if self.cancelled:
            parts.append("cancelled: the file being read was rolled back; nothing of it stored")
        return "\n\n".join(parts)


def run(ws, paths: list, options: ImportOptions, progress=None, cancelled=None,
        save_profile: str | None = None) -> ImportOutcome:
    """`progress(done, total, text)` in thousandths over all files; `cancelled()` polled."""
    out = ImportOutcome()
    total = STEPS * len(paths)
    for i, path in enumerate(paths):
        def step(fraction: float, text: str, i=i) -> None:
            # "…: done" comes after the commit: too late to cancel, and not to be reported so
            if cancelled and cancelled() and not text.endswith(": done"):
                raise ImportCancelled("import cancelled")
            if progress:
                progress(i * STEPS + int(fraction * STEPS), total, text)

        try:
            out.reports.append(import_file(ws, path, options, step))
            if save_profile and not options.dry_run:
                _save_profile(ws, save_profile, path, options, out)
        except ImportCancelled:
            out.cancelled = True
            break
        except EnergizeError as exc:
            out.errors.append(str(exc))
    return out


def _save_profile(ws, name: str, path, options: ImportOptions, out: ImportOutcome) -> None:
    """Keep the CSV layout just used (columns, date order, units) to reuse on the next file."""
    from pathlib import Path

    from energize_desktop.imports import profiles
    from energize_desktop.imports.sources import csv_format, detect_kind

    if detect_kind(Path(path)) == "csv":
        profiles.save(ws, name, csv_format(ws, Path(path), options))
        out.profiles.append(name)
