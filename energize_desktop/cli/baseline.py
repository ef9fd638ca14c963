"""`energize baseline`: fit an M&V baseline, judge it by Guideline 14, and report savings.

    energize baseline -w W -m "Main incomer" -t "Outdoor temperature" \\
        --train 2024-09-01..2025-06-01 --predict 2025-06-01..2025-09-01 \\
        [--granularity hourly|daily] [--out predictions.csv] [--json] [--save NAME]
    energize baseline -w W --use NAME --predict FROM..TO     (re-apply a kept model)
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from energize_desktop.cli.common import command
from energize_desktop.core.errors import ValidationError
from energize_desktop.jobs import mv as mv_job
from energize_desktop.jobs.mv import MvRequest


def add_parsers(sub) -> None:
    p = command(sub, "baseline", run, help="fit an M&V baseline (IPMVP option C) and report "
                       "savings", description=__doc__.split("\n\n", 1)[0])
    p.add_argument("--meter", "-m", help="meter name or id")
    p.add_argument("--temperature", "-t",
                   help="outdoor temperature meter (default: the site's temperature meter)")
    p.add_argument("--train", metavar="FROM..TO", help="baseline period (local dates, TO "
                   "exclusive)")
    p.add_argument("--predict", metavar="FROM..TO", help="reporting period: predictions, "
                   "avoided energy and its uncertainty")
    p.add_argument("--granularity", choices=["hourly", "daily"], default="hourly")
    p.add_argument("--confidence", type=float, default=0.90,
                   help="for intervals and savings uncertainty (default 0.90)")
    p.add_argument("--adjust", action="append", default=[], metavar="FROM..TO=AMOUNT:NOTE",
                   help="non-routine adjustment: AMOUNT per step added to the baseline")
    p.add_argument("--out", "-o", type=Path,
                   help="CSV of timestamp,actual,predicted,lower,upper")
    p.add_argument("--save", metavar="NAME", help="keep the fitted model under this name")
    p.add_argument("--use", metavar="NAME", help="apply a kept model instead of fitting")
    p.add_argument("--json", action="store_true", help="metrics and savings as JSON")


def run(args) -> int:
    from energize_desktop.storage import Workspace

    if not args.use and not (args.meter and args.train):
        raise ValidationError("baseline: needs --meter and --train (or --use NAME)")
    request = MvRequest(args.meter, args.train, args.predict, args.temperature, args.granularity,
                        args.confidence, args.adjust, args.save, args.use)
    with Workspace.open(args.workspace, read_only=not args.save) as ws:
        result = mv_job.run(ws, request)
    if args.out:
        _write_csv(args.out, *result["rows"])
        result["lines"].append(f"wrote {len(result['rows'][0]):,} rows to {args.out}")
    if args.json:
        json.dump(result["json"], sys.stdout, indent=1)
        print()
    else:
        print("\n".join(result["lines"]))
        print(f"verdict: {result['assessment']['verdict'][0]}")  # as the window says it
    return 0


def _write_csv(path: Path, ts, actual, predicted, lower, upper) -> None:
    from energize_desktop.core.timezones import US

    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "actual", "predicted", "lower", "upper"])
        for row in zip(ts.tolist(), actual, predicted, lower, upper):
            stamp = datetime.fromtimestamp(row[0] / US, timezone.utc).isoformat()
            w.writerow([stamp, *("" if v != v else f"{v:.4f}" for v in row[1:])])
    tmp.replace(path)  # never a half-written file under the name asked for
