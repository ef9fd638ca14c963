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

from energize_desktop.analytics.site_data import period
from energize_desktop.core.errors import ValidationError


def add_parser(sub) -> None:
    p = sub.add_parser("baseline", help="fit an M&V baseline (IPMVP option C) and report "
                       "savings", description=__doc__.split("\n\n", 1)[0])
    p.add_argument("--workspace", "-w", type=Path, required=True)
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
    with Workspace.open(args.workspace, read_only=not args.save) as ws:
        result = _run(ws, args)
    if args.json:
        json.dump(result["json"], sys.stdout, indent=1)
        print()
    else:
        print("\n".join(result["lines"]))
    return 0


def _run(ws, args) -> dict:
    from energize_desktop.analytics import baseline as bl
    from energize_desktop.analytics.savings import avoided_energy, mv_report_lines
    from energize_desktop.storage.baselines import BaselineStore

    meter, temp_meter, model = _meters_and_model(ws, args)
    tz = ws.site_of(meter).timezone
    fitted_on = None
    if model is None:
        start, end = period(args.train, "--train", tz)
        series, temp = fitted_on = _series(ws, meter, temp_meter, start, end)
        model = bl.fit(series, temp, args.granularity, start, end)
        if args.save:
            BaselineStore(ws).save(args.save, meter.id, temp_meter.id, model.granularity,
                                   model.to_json())
    out = {"meter": meter.name, "temperature": temp_meter.name, "model": json.loads(
        model.to_json()), "reporting": None}
    result = None
    if args.predict:
        start, end = period(args.predict, "--predict", tz)
        series, temp = _series(ws, meter, temp_meter, start, end)
        frame = bl.window(bl.frame_for(series, temp, model.granularity), start, end)
        result = avoided_energy(model, frame, _adjustments(args.adjust, tz), args.confidence)
        out["reporting"] = _reporting_json(result)
        rows = (frame.ts_us, frame.usage, result.predicted, result.lower, result.upper)
    else:
        start, end = model.train_start_us, model.train_end_us
        series, temp = fitted_on or _series(ws, meter, temp_meter, start, end)
        frame = bl.window(bl.frame_for(series, temp, model.granularity), start, end)
        pred = model.predict(frame)
        rows = (frame.ts_us, frame.usage, pred, *model.interval(pred, args.confidence))
    if args.out:
        _write_csv(args.out, *rows)
    lines = [f"{meter.name} ({model.unit}), temperature from {temp_meter.name}",
             *mv_report_lines(model, result)]
    if args.out:
        lines.append(f"wrote {len(rows[0]):,} rows to {args.out}")
    return {"json": out, "lines": lines}


def _meters_and_model(ws, args):
    from energize_desktop.analytics.baseline import Baseline
    from energize_desktop.cli import _ref
    from energize_desktop.core.model import MeterKind
    from energize_desktop.storage.baselines import BaselineStore

    if args.use:
        kept = BaselineStore(ws).load(args.use)
        meter = ws.meter(kept["meter_id"])
        temp = ws.meter(kept["temperature_meter_id"])
        return meter, temp, Baseline.from_json(kept["model"], f"baseline {args.use!r}")
    meter = ws.meter(_ref(args.meter))
    if meter.amount_unit is None:
        raise ValidationError(f"meter {meter.name}: a baseline needs an energy meter, this one "
                              f"measures {meter.unit}")
    if args.temperature:
        return meter, ws.meter(_ref(args.temperature)), None
    for m in ws.meters():
        if m.kind is MeterKind.TEMPERATURE and m.site_id == meter.site_id:
            return meter, m, None
    raise ValidationError(f"meter {meter.name}: its site has no outdoor temperature meter; "
                          "import a weather file or name one with --temperature")


def _series(ws, meter, temp_meter, start_us, end_us):
    from energize_desktop.analytics.detection_job import align_to, meter_series

    series = meter_series(ws, meter, 3600, start_us, end_us)
    if not len(series):
        raise ValidationError(f"meter {meter.name}: no readings in that period")
    temp = meter_series(ws, temp_meter, 3600, start_us, end_us)
    return series, align_to(series, temp)


def _adjustments(specs: list[str], tz: str):
    from energize_desktop.analytics.savings import Adjustment

    out = []
    for spec in specs:
        try:
            span, rest = spec.split("=", 1)
            amount, _, note = rest.partition(":")
            start, end = period(span, "--adjust", tz)
            out.append(Adjustment(start, end, float(amount), note))
        except ValueError:
            raise ValidationError(f"--adjust {spec!r}: expected FROM..TO=AMOUNT:NOTE, e.g. "
                                  "2025-03-01..2025-09-01=12.5:new server room") from None
    return out


def _reporting_json(r) -> dict:
    return {"avoided": r.avoided, "adjusted_baseline": r.baseline_total,
            "actual": r.actual_total, "fraction": r.fraction, "points": r.counted,
            "uncertainty": r.uncertainty, "drift": r.drift, "cusum_end": float(r.cusum[-1])
            if len(r.cusum) else 0.0}


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
