"""Importing files as the CLI and the window both ask for it: one file after another, each in
its own transaction, with progress and a cancel that stops inside a file (the file being read is
rolled back whole; files already imported stay). A data package (.zip from `energize export`)
is imported whole or not at all; a CSV layout can be kept as a profile for the next file.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from energize_desktop.core.errors import EnergizeError
from energize_desktop.imports.compressed import Part, unpacked
from energize_desktop.jobs import import_profiles
from energize_desktop.jobs.base import Job
from energize_desktop.jobs.importer import ImportOptions, import_file
from energize_desktop.storage.api import WorkspaceAPI
from energize_desktop.storage.package import import_package

STEPS = 1000  # progress resolution per file


class ImportCancelled(EnergizeError):
    pass


@dataclass
class ImportOutcome:
    reports: list = field(default_factory=list)  # FileReport of each file stored (or previewed)
    errors: list[str] = field(default_factory=list)  # one line per file that failed
    cancelled: bool = False
    profiles: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)  # one line per data package stored

    def summary(self) -> str:
        parts = [r.text() for r in self.reports] + self.packages
        parts += [f"failed: {e}" for e in self.errors]
        parts += [f"saved CSV profile {p!r}: pick it next time with the same layout"
                  for p in dict.fromkeys(self.profiles)]
        if self.cancelled:
            parts.append("cancelled: the file being read was rolled back; nothing of it stored")
        return "\n\n".join(parts)


# What the CLI prints as each file ends: (path, its report or package line, or None; the error)
FileDone = Callable[[Path, object, str | None], None]


class ImportJob(Job):
    title = "Import"

    def __init__(self, ws: WorkspaceAPI, paths: list, options: ImportOptions, save_profile: str | None = None,
                 on_file: FileDone | None = None,
                 describe: Callable[[EnergizeError], str] | None = None):
        self.ws, self.paths, self.options = ws, [Path(p) for p in paths], options
        self.save_profile, self.on_file = save_profile or None, on_file
        self.describe = describe  # how an error is said (the CLI leads it with its flag)

    def run(self, progress=None, cancelled=None) -> ImportOutcome:
        """`progress(done, total, text)` in thousandths over all files; `cancelled()` polled."""
        out = ImportOutcome()
        total = STEPS * len(self.paths)
        for i, path in enumerate(self.paths):
            def step(fraction: float, text: str, i=i) -> None:
                # "…: done" comes after the commit: too late to cancel, and not to be reported so
                if cancelled and cancelled() and not text.endswith(": done"):
                    raise ImportCancelled("import cancelled")
                if progress:
                    progress(i * STEPS + int(fraction * STEPS), total, text)

            try:
                self._one(path, step, out)
            except ImportCancelled:
                out.cancelled = True
                break
            except EnergizeError as exc:
                said = self.describe(exc) if self.describe else str(exc)
                text = said if str(path) in said else f"{path}: {said}"
                out.errors.append(text)
                self._tell(path, None, text)
        return out

    def _one(self, path: Path, step, out: ImportOutcome) -> None:
        if is_package(path):
            counts = import_package(self.ws, path)
            line = (f"{path}: data package — {counts['sites']} site(s), {counts['meters']} "
                    f"meter(s), {counts['readings']:,} readings stored")
            out.packages.append(line)
            return self._tell(path, line, None)
        with unpacked(path) as parts:  # a gzip or zip: each file inside, one by one
            for part in parts:
                report = self._part(part, step)
                out.reports.append(report)
                self._tell(path, report, None)
                if self.save_profile and not self.options.dry_run and \
                        self._keep_profile(part.path):
                    out.profiles.append(self.save_profile)

    def _part(self, part: Part, step):
        """One plain file; its messages name the archive it came from."""
        try:
            report = import_file(self.ws, part.path, self.options, step)
        except EnergizeError as exc:
            if part.label == str(part.path):
                raise
            raise type(exc)(str(exc).replace(str(part.path), part.label), field=exc.field) \
                from None
        report.path = part.label
        return report

    def _profile(self) -> tuple[dict, bool]:
        name = self.options.profile
        return import_profiles.load(self.ws, name) if name else ({}, False)

    def _keep_profile(self, path: Path) -> bool:
        """Keep the CSV layout just used (columns, date order, units) for the next file."""
        from energize_desktop.imports.sources import csv_format, detect_kind

        if detect_kind(path) != "csv":
            return False
        import_profiles.save(self.ws, self.save_profile,
                             csv_format(path, self.options, self._profile()))
        return True

    def _tell(self, path: Path, done, error: str | None) -> None:
        if self.on_file:
            self.on_file(path, done, error)


def is_package(path: Path) -> bool:
    """A data package exported by `energize export … --out FILE.zip`: a zip with a manifest."""
    try:
        with zipfile.ZipFile(path) as z:
            return "manifest.json" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
