"""`energize info`, `energize export`, `energize demo`: what a workspace holds, its data out,
and the demo building."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from energize_desktop.cli.common import command, ref, when
from energize_desktop.core.errors import EnergizeError


def add_parsers(sub) -> None:
    info = command(sub, "info", _info, help="sites, meters, ranges, counts and gaps of a "
                   "workspace")
    info.add_argument("--json", action="store_true", help="machine-readable output")

    export = command(sub, "export", _export, help="readings or rollups to CSV or Parquet")
    export.add_argument("--meter", "-m", action="append",
                        help="meter name or id (repeatable; default: all meters)")
    export.add_argument("--resolution", default="raw",
                        choices=["raw", "15min", "hour", "day", "month"])
    export.add_argument("--format", default=None,
                        choices=["csv", "parquet", "xlsx", "package"],
                        help="default: from the --out suffix (.zip = a data package)")
    export.add_argument("--what", default="readings", choices=["readings", "anomalies",
                                                               "alerts"],
                        help="readings (default), or the anomalies or alerts as a table")
    export.add_argument("--from", dest="start", help="start (ISO date or time, UTC)")
    export.add_argument("--to", dest="end", help="end, exclusive (ISO date or time, UTC)")
    export.add_argument("--out", "-o", type=Path, required=True)

    demo = command(sub, "demo", _demo, workspace=False, help="write the demo workspace")
    demo.add_argument("--out", "-o", type=Path, required=True)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--force", action="store_true", help="replace an existing file")


def _info(args) -> int:
    from energize_desktop.cli.common import open_for_reading
    from energize_desktop.reports.info import workspace_info

    with open_for_reading(args.workspace) as ws:
        info = workspace_info(ws)
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
    else:
        print(_info_text(info))
    return 0


def _info_text(info: dict) -> str:
    lines = [f"Workspace {info['workspace']} (schema v{info['schema_version']}, "
             f"{info['size_bytes'] / 1e6:,.1f} MB)"]
    for site in info["sites"]:
        area = (f"{site['floor_area_m2']:,.0f} m² ({site['floor_area_ft2']:,} ft²)"
                if site["floor_area_m2"] else "floor area not set")
        lines.append(f"\nSite {site['name']} — {site['timezone']}, {area}"
                     f"{', ' + site['building_type'] if site['building_type'] else ''}")
        header = f"  {'id':>3}  {'meter':<22} {'kind':<12} {'unit':<5} {'semantics':<13} " \
                 f"{'first (UTC)':<20} {'last (UTC)':<20} {'readings':>10} {'gaps':>5}"
        lines.append(header)
        for m in site["meters"]:
            if m["formula"]:
                lines.append(f"  {m['id']:>3}  {m['name'][:22]:<22} {m['kind']:<12} "
                             f"{m['amount_unit'] or m['unit']:<5} virtual = {m['formula']}")
                continue
            lines.append(
                f"  {m['id']:>3}  {m['name'][:22]:<22} {m['kind']:<12} {m['unit']:<5} "
                f"{m['semantics']:<13} {(m['first'] or '-')[:19]:<20} "
                f"{(m['last'] or '-')[:19]:<20} {m['readings']:>10,} {m['gap_count']:>5}")
    return "\n".join(lines)


def _export(args) -> int:
    from energize_desktop.cli.common import open_for_reading
    from energize_desktop.storage.export import export

    suffix = args.out.suffix.lstrip(".").lower()
    fmt = args.format or {"zip": "package"}.get(suffix, suffix)
    if fmt not in ("csv", "parquet", "xlsx", "package"):
        raise EnergizeError(f"--out {args.out}: cannot tell the format from the suffix; "
                            "add --format csv, parquet, xlsx or package")
    start, end = when(args.start, "start"), when(args.end, "end")
    with open_for_reading(args.workspace) as ws:
        meters = [ws.meter(ref(m)) for m in args.meter] if args.meter else ws.meters()
        if args.what != "readings":
            from energize_desktop.storage.export import events_frame, write_frame

            frame = events_frame(ws, args.what, meters, start, end)
            write_frame(frame, "parquet" if fmt == "package" else fmt, args.out)
            rows = frame.height
        elif fmt == "package":
            from energize_desktop.storage.package import write_package

            rows = write_package(ws, meters, args.out, start, end)
        else:
            rows = export(ws, meters, args.resolution, fmt, args.out, start, end)
    print(f"wrote {rows:,} rows to {args.out}", file=sys.stderr)
    return 0


def _demo(args) -> int:
    from energize_desktop.demo.build import build_demo

    if args.out.exists():
        if not args.force:
            raise EnergizeError(f"{args.out}: already exists (use --force to replace it)")
        args.out.unlink()
        args.out.with_name(args.out.name + ".wal").unlink(missing_ok=True)
    build_demo(args.out, seed=args.seed)
    print(f"wrote demo workspace {args.out}", file=sys.stderr)
    return 0
