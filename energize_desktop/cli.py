"""`energize`: the application's services without a window. No subcommand opens the window.

Exit status: 0 on success, 1 on an error the user can act on (the message says what and where),
2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from energize_desktop import (
    __version__,
    cli_alerts,
    cli_baseline,
    cli_detect,
    cli_import,
    cli_insights,
    cli_live,
    cli_money,
    cli_plan,
    cli_report,
    cli_sync,
)
from energize_desktop.core.errors import EnergizeError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="energize", description="Building energy monitoring, analytics and audits.")
    parser.add_argument("--version", action="version", version=f"energize {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="open the window (the default)")
    gui.add_argument("workspace", nargs="?", type=Path, help="workspace file to open")
    gui.add_argument("--demo", action="store_true", help="open the demo workspace")
    gui.add_argument("--pages", type=Path, metavar="DIR",
                     help="save a PNG of every page once its data is in, then exit")
    gui.add_argument("--screenshot", type=Path, metavar="PNG",
                     help="render the window to a PNG once its chart is drawn, then exit")

    info = sub.add_parser("info", help="sites, meters, ranges, counts and gaps of a workspace")
    info.add_argument("--workspace", "-w", type=Path, required=True)
    info.add_argument("--json", action="store_true", help="machine-readable output")

    export = sub.add_parser("export", help="readings or rollups to CSV or Parquet")
    export.add_argument("--workspace", "-w", type=Path, required=True)
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

    cli_import.add_parser(sub)
    cli_live.add_parsers(sub)
    cli_detect.add_parser(sub)
    cli_alerts.add_parser(sub)
    cli_baseline.add_parser(sub)
    cli_insights.add_parsers(sub)
    cli_money.add_parsers(sub)
    cli_plan.add_parsers(sub)
    cli_report.add_parser(sub)
    cli_sync.add_parsers(sub)

    demo = sub.add_parser("demo", help="write the demo workspace")
    demo.add_argument("--out", "-o", type=Path, required=True)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--force", action="store_true", help="replace an existing file")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--selftest"]:
        from energize_desktop.selftest import run

        return run()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version") \
            or argv[0].lower().endswith(".energize"):  # a workspace opened from the desktop
        argv = ["gui", *argv]
    args = build_parser().parse_args(argv)
    handlers = {"gui": _gui, "info": _info, "export": _export, "demo": _demo,
                "import": cli_import.run, "acquire": cli_live.acquire,
                "simulate": cli_live.simulate, "connections": cli_live.connections,
                "detect": cli_detect.run, "alerts": cli_alerts.run,
                "baseline": cli_baseline.run, "kpis": cli_insights.kpis,
                "compare": cli_insights.compare, "degree-days": cli_insights.degree_days_cmd,
                "tariff": cli_money.tariff_cmd, "cost": cli_money.cost_cmd,
                "carbon": cli_money.carbon_cmd, "bills": cli_money.bills_cmd,
                "forecast": cli_plan.forecast_cmd, "shift": cli_plan.shift_cmd,
                "recommend": cli_plan.recommend_cmd, "report": cli_report.run,
                "server": cli_sync.server_cmd, "sync": cli_sync.sync_cmd}
    try:
        return handlers[args.command or "gui"](args) or 0
    except EnergizeError as exc:
        print(f"energize: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `energize ... | head`: the reader has gone, nothing is wrong
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("energize: interrupted", file=sys.stderr)
        return 130


def gui_main() -> int:
    return main(["gui", *sys.argv[1:]])


def _gui(args) -> int:
    from energize_desktop.app import run

    return run(workspace=args.workspace, demo=args.demo, screenshot=args.screenshot,
               pages_dir=args.pages)


def _info(args) -> int:
    from energize_desktop.reports.info import workspace_info
    from energize_desktop.storage import Workspace

    with Workspace.open(args.workspace, read_only=True) as ws:
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
            lines.append(
                f"  {m['id']:>3}  {m['name'][:22]:<22} {m['kind']:<12} {m['unit']:<5} "
                f"{m['semantics']:<13} {(m['first'] or '-')[:19]:<20} "
                f"{(m['last'] or '-')[:19]:<20} {m['readings']:>10,} {m['gap_count']:>5}")
    return "\n".join(lines)


def _export(args) -> int:
    from energize_desktop.storage import Workspace
    from energize_desktop.storage.export import export

    suffix = args.out.suffix.lstrip(".").lower()
    fmt = args.format or {"zip": "package"}.get(suffix, suffix)
    if fmt not in ("csv", "parquet", "xlsx", "package"):
        raise EnergizeError(f"--out {args.out}: cannot tell the format from the suffix; "
                            "add --format csv, parquet, xlsx or package")
    start, end = _when(args.start, "--from"), _when(args.end, "--to")
    with Workspace.open(args.workspace, read_only=True) as ws:
        meters = [ws.meter(_ref(m)) for m in args.meter] if args.meter else ws.meters()
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


def _ref(text: str):
    return int(text) if text.isdigit() else text


def _when(text: str | None, flag: str):
    from datetime import datetime

    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise EnergizeError(f"{flag} {text!r}: expected an ISO date such as 2025-01-31 "
                            "or 2025-01-31T06:00") from None
    return value


if __name__ == "__main__":
    raise SystemExit(main())
