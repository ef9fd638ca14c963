"""`energize report`: the audit report of a site and period, to PDF or HTML.

    energize report -w W [--site S] [--from 2025-01-01 --to 2026-01-01 | --period 2025]
                    [--sections summary,charts,...] [--author NAME] [--organisation ORG]
                    [--paper A4|Letter] --out report.pdf|report.html
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from energize_desktop.cli.common import command
from energize_desktop.core.errors import ValidationError


def add_parsers(sub) -> None:
    from energize_desktop.reports.model import SECTIONS

    p = command(sub, "report", run, help="PDF or HTML audit report of a site and period")
    p.add_argument("--site", "-s")
    p.add_argument("--from", dest="start", help="first local date (default: first reading)")
    p.add_argument("--to", dest="end", help="local date after the last one reported")
    p.add_argument("--period", help="instead of --from/--to: YYYY, YYYY-MM or FROM..TO")
    p.add_argument("--sections", help=f"comma-separated, of: {', '.join(SECTIONS)} (default all)")
    p.add_argument("--author", default="")
    p.add_argument("--organisation", default="")
    p.add_argument("--paper", choices=["A4", "Letter"], default="A4")
    p.add_argument("--logo", help="the organisation's logo (.png, .jpg or .svg) on the cover")
    p.add_argument("--baseline", metavar="FROM..TO",
                   help="baseline period before a change: the report shows avoided energy and "
                   "its uncertainty for the report period")
    p.add_argument("--out", "-o", type=Path, required=True, help="FILE.pdf or FILE.html")


def run(args) -> int:
    from energize_desktop.cli.common import open_for_reading
    from energize_desktop.reports.build import Template
    from energize_desktop.reports.job import ReportJob
    from energize_desktop.reports.model import SECTIONS

    period = args.period or _period(args.start, args.end)
    sections = tuple(s.strip() for s in args.sections.split(",")) if args.sections else SECTIONS
    template = Template(sections, args.organisation, args.author, args.logo, args.paper,
                        baseline_period=args.baseline)
    started = time.perf_counter()
    with open_for_reading(args.workspace) as ws:
        job = ReportJob(ws, args.site, period, template, args.out, _writer(args.out))
        _, size, report = job(progress=_progress)
    print(f"wrote {args.out} ({size / 1e6:.2f} MB, {len(report.sections)} sections) in "
          f"{time.perf_counter() - started:.1f} s")
    return 0


def _period(start: str | None, end: str | None) -> str | None:
    if not start and not end:
        return None
    if not (start and end):
        raise ValidationError("report: give both --from and --to (or --period)")
    return f"{start}..{end}"


def _writer(out: Path):
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no window needed
    from energize_desktop.app import create_app
    from energize_desktop.runtime.pdf import write_report

    if out.suffix.lower() == ".pdf":
        create_app([])  # fonts bundled with the app, so text never renders as boxes
    return write_report


def _progress(done: int, total: int, what: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{done}/{total} {what:<40}", end="" if done < total else "\n",
              file=sys.stderr, flush=True)
