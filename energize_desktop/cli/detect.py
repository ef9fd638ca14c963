"""`energize detect`: anomaly events of a workspace's meters, in words or as JSON."""

from __future__ import annotations

import json
import sys

from energize_desktop.cli.common import command, ref, when
from energize_desktop.core.instants import to_us


def add_parsers(sub) -> None:
    p = command(sub, "detect", run, help="find anomalies and data-quality problems")
    p.add_argument("--meter", "-m", action="append", help="meter name or id (repeatable)")
    p.add_argument("--from", dest="start", help="start (ISO date or time, UTC)")
    p.add_argument("--to", dest="end", help="end, exclusive (ISO date or time, UTC)")
    p.add_argument("--step", choices=["hour", "15min"], default="hour",
                   help="resolution the detectors work at (default: hour)")
    p.add_argument("--all", action="store_true",
                   help="also list info-level findings (gaps under a day, level shifts...)")
    p.add_argument("--no-store", action="store_true", help="do not keep the events found")
    p.add_argument("--json", action="store_true", help="a list of event objects")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")


def run(args) -> int:
    from energize_desktop.jobs import detection as detection_job
    from energize_desktop.storage import Workspace

    start, end = (to_us(when(args.start, "start")), to_us(when(args.end, "end")))
    step = 900 if args.step == "15min" else 3600
    progress = None if args.quiet or args.json else _progress
    with Workspace.open(args.workspace, read_only=args.no_store) as ws:
        meters = [ws.meter(ref(m)) for m in args.meter] if args.meter else ws.meters()
        result = detection_job.run(ws, meters, step, start, end, store=not args.no_store,
                                   progress=progress)
    events = result.events if args.all else [e for e in result.events
                                             if e.severity.value != "info"]
    if args.json:
        json.dump([_json(e) for e in events], sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    for meter, reasons in result.not_run.items():
        for why in sorted(set(reasons.values())):
            print(f"{meter}: {why}")
    alarms = [e for e in events if e.severity.value != "info"]
    findings = [e for e in events if e.severity.value == "info"]
    for e in alarms:  # alarms first; findings apart, after them
        print(f"[{e.severity.value:<8}] {e.meter} · {e.kind.value}: {e.explanation}")
    if findings:
        print("findings (not alarms):")
    for e in findings:
        print(f"  {e.meter} · {e.kind.value}: {e.explanation}")
    hidden = len(result.events) - len(events)
    print(f"{len(alarms)} alarm(s) in {len(meters)} meter(s)"
          + (f", {len(findings)} finding(s)" if findings else "")
          + (f"; {hidden} finding(s) not shown (--all)" if hidden else ""))
    return 0


def _json(e) -> dict:
    return {"meter": e.meter, "start": e.to_json()["start"], "end": e.to_json()["end"],
            "kind": e.kind.value, "severity": e.severity.value, "score": round(e.score, 3),
            "explanation": e.explanation, "detector": e.detector}




def _progress(done: int, total: int, meter: str) -> None:
    print(f"\r{done}/{total} meters · {meter[:40]:<40}", end="" if done < total else "\n",
          file=sys.stderr, flush=True)
