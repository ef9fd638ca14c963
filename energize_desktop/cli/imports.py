"""`energize import`: files into a workspace, with a summary of what was found and stored."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from energize_desktop.cli.common import command


def add_parsers(sub) -> None:
    p = command(sub, "import", run, help="import utility CSV, Green Button XML, NEM12, EPW or TMY3 "
                                      "files")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--site", "-s", help="site name or id (created if missing)")
    p.add_argument("--meter", "-m", help="meter name for a single-series file, or the one "
                                         "series of the file to import")
    p.add_argument("--profile", "-p", help="a saved or built-in import profile")
    p.add_argument("--save-profile", metavar="NAME", help="save the CSV format found as NAME")
    p.add_argument("--tz", help="IANA zone of naive timestamps (default: the site's)")
    p.add_argument("--unit", "-u", action="append", default=[], metavar="[COLUMN=]UNIT",
                   help="unit where the file does not say (repeatable, per column with =)")
    p.add_argument("--kind", "-k", help="meter kind: electricity, gas, water, heat, pv, "
                                        "temperature, other")
    p.add_argument("--semantics", choices=["cumulative", "interval", "instantaneous"],
                   help="counter, interval amounts or sampled level (default: from unit and data)")
    p.add_argument("--date-format", dest="date_order", metavar="DMY|MDY|FORMAT",
                   help="day-first or month-first dates, or a strptime format")
    p.add_argument("--ts-marks", choices=["start", "end"],
                   help="timestamps mark the start (default) or the end of their interval")
    p.add_argument("--decimal", choices=[".", ","], help="decimal mark, if the sniffer asks")
    p.add_argument("--on-conflict", choices=["abort", "keep", "replace"], default="abort",
                   help="a different value for a stored reading: abort (default, nothing is "
                        "stored), keep the stored one, or replace it")
    p.add_argument("--repeated-hour", choices=["shift"], default=None,
                   help="a feed that gives both readings of the repeated autumn hour one UTC "
                        "time (a known utility bug): shift moves the one beside an empty hour "
                        "into it")
    p.add_argument("--dry-run", "-n", action="store_true", help="report, store nothing")
    p.add_argument("--json", action="store_true", help="machine-readable summary")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    p.add_argument("--progress", choices=["bar", "lines"], default="bar",
                   help="progress on stderr as a bar on a terminal (default) or as lines for "
                        "a log or another program")


def run(args) -> int:
    from energize_desktop.cli.common import error_text
    from energize_desktop.jobs.import_files import ImportJob
    from energize_desktop.storage import Workspace

    path = args.workspace
    ws = Workspace.open(path) if path.exists() else Workspace.create(path)
    with ws:
        job = ImportJob(ws, args.files, options_from(args), args.save_profile,
                        on_file=lambda f, done, error: _file_done(args, done, error),
                        describe=lambda exc: error_text(exc, getattr(args, "command_parser",
                                                                     None)))
        outcome = job(progress=None if args.quiet else
                      _progress_lines if args.progress == "lines" else _progress)
    for name in dict.fromkeys(outcome.profiles):
        print(f"saved profile {name!r}")
    if args.json:
        print(json.dumps([r.to_dict() for r in outcome.reports], indent=2, ensure_ascii=False))
    if outcome.errors:
        print(f"energize: {len(outcome.errors)} of {len(args.files)} file(s) failed; nothing "
              "of them was stored", file=sys.stderr)
    return 1 if outcome.errors else 0


def options_from(args):
    """The import options the flags give."""
    from energize_desktop.imports.channels import ChannelHints
    from energize_desktop.jobs.importer import ImportOptions

    hints = ChannelHints(kind=args.kind, semantics=args.semantics)
    for item in args.unit:
        if "=" in item:
            column, unit = item.rsplit("=", 1)
            hints.units[column.strip()] = unit.strip()
        else:
            hints.unit = item.strip()
    return ImportOptions(site=args.site, meter=args.meter, profile=args.profile, tz=args.tz,
                         dry_run=args.dry_run, on_conflict=args.on_conflict,
                         date_order=args.date_order, ts_marks=args.ts_marks,
                         decimal=args.decimal, repeated_hour=args.repeated_hour, hints=hints)


def _file_done(args, done, error: str | None) -> None:
    _clear()
    if error is not None:
        print(f"energize: error: {error}", file=sys.stderr)
    elif isinstance(done, str):  # a data package
        print(done)
    elif not args.json:
        print(done.text())


def _progress(done: int, total: int, text: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{done / max(total, 1):6.1%}  {text[-70:]:<70}", end="", file=sys.stderr,
              flush=True)


def _progress_lines(done: int, total: int, text: str) -> None:
    print(f"{done / max(total, 1):.1%} {text}", file=sys.stderr, flush=True)


def _clear() -> None:
    if sys.stderr.isatty():
        print("\r" + " " * 80 + "\r", end="", file=sys.stderr, flush=True)
