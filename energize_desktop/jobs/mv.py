"""An M&V run as the CLI and the window both ask for it: fit a baseline on a training period (or
load a kept one), predict a reporting period, and report Guideline 14 metrics and savings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.model import ref
from energize_desktop.core.periods import period
from energize_desktop.jobs.base import Job
from energize_desktop.storage.api import WorkspaceAPI


@dataclass(frozen=True)
class MvRequest:
    meter: str | int | None = None
    train: str | None = None  # FROM..TO, site-local
    predict: str | None = None
    temperature: str | int | None = None
    granularity: str = "hourly"
    confidence: float = 0.90
    adjust: list = field(default_factory=list)  # "FROM..TO=AMOUNT:NOTE"
    save: str | None = None
    use: str | None = None


class BaselineJob(Job):
    """Fit (or load) a baseline and predict; `prepare()` refuses a request that names no meter
    or no baseline period before anything is read."""

    title = "Baseline"

    def __init__(self, ws: WorkspaceAPI, request: MvRequest):
        self.ws, self.request = ws, request

    def prepare(self) -> None:
        req = self.request
        if not req.use and not req.meter:
            raise ValidationError("choose the energy meter to model", field="meter")
        if not req.use and not (req.train or "").strip():
            raise ValidationError("give the baseline period (FROM..TO)", field="train")

    def run(self, progress=None, cancelled=None) -> dict:
        return run(self.ws, self.request)


def run(ws: WorkspaceAPI, req: MvRequest) -> dict:
    """Fit (or load) a baseline and predict the reporting period (or the baseline's own):
    {json, lines, rows=(ts_us, actual, predicted, lower, upper)}."""
    from energize_desktop.analytics import baseline as bl
    from energize_desktop.analytics.savings import avoided_energy, mv_report_lines
    from energize_desktop.storage.baselines import BaselineStore

    meter, temp_meter, model = _meters_and_model(ws, req)
    tz = ws.site_of(meter).timezone
    fitted_on = None
    if model is None:
        start, end = period(req.train, tz, "train")
        series, temp = fitted_on = _series(ws, meter, temp_meter, start, end)
        model = bl.fit(series, temp, req.granularity, start, end)
        if req.save:
            BaselineStore(ws).save(req.save, meter.id, temp_meter.id, model.granularity,
                                   model.to_json())
    out = {"meter": meter.name, "temperature": temp_meter.name, "model": json.loads(
        model.to_json()), "reporting": None}
    result = None
    if req.predict:
        start, end = period(req.predict, tz, "predict")
        series, temp = _period_series(ws, meter, temp_meter, start, end)
        frame = bl.window(bl.frame_for(series, temp, model.granularity), start, end)
        result = avoided_energy(model, frame, _adjustments(req.adjust, tz), req.confidence)
        out["reporting"] = _reporting_json(result)
        rows = (frame.ts_us, frame.usage, result.predicted, result.lower, result.upper)
    else:
        start, end = model.train_start_us, model.train_end_us
        series, temp = fitted_on or _series(ws, meter, temp_meter, start, end)
        frame = bl.window(bl.frame_for(series, temp, model.granularity), start, end)
        pred = model.predict(frame)
        rows = (frame.ts_us, frame.usage, pred, *model.interval(pred, req.confidence))
    lines = [f"{meter.name} ({model.unit}), temperature from {temp_meter.name}",
             *mv_report_lines(model, result)]
    trained = bl.frame_for(*fitted_on, model.granularity) if fitted_on else None
    check = assess(model, frame if req.predict else None, trained)
    out["assessment"] = check
    return {"json": out, "lines": lines, "rows": rows, "model": model, "assessment": check}


EXTRAPOLATING_SHARE = 0.05  # of the reporting period outside what the baseline saw


def assess(model, reporting, trained) -> dict:
    """What the Guideline 14 figures cannot say: whether the data were sufficient (CalTRACK)
    and whether the reporting period lies where the baseline saw data — its temperatures
    inside the baseline's range, its hours of the week (or weekdays) among those it was
    fitted on. `verdict`: (text, level) with level ok / fail / warn."""
    out: dict = {"warnings": list(model.warnings), "outside_share": 0.0, "unseen_share": 0.0,
                 "reporting_c": None, "baseline_c": None}
    if reporting is not None and len(reporting.ts_us):
        temp = reporting.temp_c[np.isfinite(reporting.temp_c)]
        if len(temp) and model.temp_range is not None:
            lo, hi, _ = model.temp_range
            out["outside_share"] = float(np.mean((temp < lo - 0.5) | (temp > hi + 0.5)))
            out["reporting_c"], out["baseline_c"] = (float(temp.min()), float(temp.max())), \
                (lo, hi)
        if trained is not None:
            seen = set(np.asarray(trained.slot)[np.isfinite(trained.usage)].tolist())
            out["unseen_share"] = float(np.mean([s not in seen for s in reporting.slot]))
    out["verdict"] = _verdict(model, out)
    return out


def _verdict(model, check: dict) -> tuple[str, str]:
    """Amber when the data were insufficient or the reporting period extrapolates (each
    said), never a green tick then; else the Guideline 14 verdict."""
    said = []
    if check["warnings"]:
        said.append(f"insufficient data (CalTRACK): {check['warnings'][0]}")
    if check["outside_share"] > EXTRAPOLATING_SHARE:
        (a, b), (lo, hi) = check["reporting_c"], check["baseline_c"]
        said.append(f"extrapolating: {check['outside_share']:.0%} of the reporting period at "
                    f"temperatures ({a:.1f}–{b:.1f} °C) outside the baseline's "
                    f"{lo:.1f}–{hi:.1f} °C")
    if check["unseen_share"] > EXTRAPOLATING_SHARE:
        what = "hours of the week" if model.granularity == "hourly" else "days of the week"
        said.append(f"extrapolating: {check['unseen_share']:.0%} of the reporting period on "
                    f"{what} the baseline never saw")
    if said:
        return "⚠ " + "; ".join(said), "warn"
    if model.stats.meets_g14:
        return "✔ meets ASHRAE Guideline 14", "ok"
    return "✘ does not meet ASHRAE Guideline 14", "fail"


def _meters_and_model(ws: WorkspaceAPI, req):
    from energize_desktop.analytics.baseline import Baseline
    from energize_desktop.core.model import MeterKind
    from energize_desktop.storage.baselines import BaselineStore

    if req.use:
        kept = BaselineStore(ws).load(req.use)
        meter = ws.meter(kept["meter_id"])
        temp = ws.meter(kept["temperature_meter_id"])
        return meter, temp, Baseline.from_json(kept["model"], f"baseline {req.use!r}")
    meter = ws.meter(ref(req.meter))
    if meter.amount_unit is None:
        raise ValidationError(f"meter {meter.name}: a baseline needs an energy meter, this one "
                              f"measures {meter.unit}")
    if req.temperature:
        return meter, ws.meter(ref(req.temperature)), None
    for m in ws.meters():
        if m.kind is MeterKind.TEMPERATURE and m.site_id == meter.site_id:
            return meter, m, None
    raise ValidationError(f"meter {meter.name}: its site has no outdoor temperature meter; "
                          "import a weather file or choose a temperature meter",
                          field="temperature")


def _series(ws: WorkspaceAPI, meter, temp_meter, start_us, end_us):
    from energize_desktop.jobs.detection import align_to, meter_series

    series = meter_series(ws, meter, 3600, start_us, end_us)
    if not len(series):
        raise ValidationError(f"meter {meter.name}: no readings in that period")
    temp = meter_series(ws, temp_meter, 3600, start_us, end_us)
    return series, align_to(series, temp)


def _period_series(ws: WorkspaceAPI, meter, temp_meter, start_us, end_us):
    """The meter and temperature on every hour of [start, end): a prediction needs only the
    temperature, so hours before the meter's first reading or after its last are predicted
    (an estimate, its actual NaN) wherever the temperature is known."""
    from energize_desktop.analytics.series import on_grid
    from energize_desktop.jobs.detection import meter_series

    temp = meter_series(ws, temp_meter, 3600, start_us, end_us)
    if not np.isfinite(temp.values).any():
        raise ValidationError(f"{temp_meter.name}: no temperature in that period: nothing to "
                              "predict from", field="predict")
    usage = meter_series(ws, meter, 3600, start_us, end_us)
    first = start_us // 3_600_000_000 * 3_600_000_000
    grid = np.arange(first, end_us, 3_600_000_000, dtype=np.int64)
    tz = ws.site_of(meter).timezone
    return (on_grid(meter.name, usage.unit, grid, _placed(usage, grid), 3600, tz),
            _placed(temp, grid))


def _placed(series, grid: np.ndarray) -> np.ndarray:
    out = np.full(len(grid), np.nan)
    idx = np.searchsorted(grid, series.ts_us)
    ok = (idx < len(grid)) & (grid[np.minimum(idx, len(grid) - 1)] == series.ts_us)
    out[idx[ok]] = series.values[ok]
    return out


def _adjustments(specs: list[str], tz: str):
    from energize_desktop.analytics.savings import Adjustment

    out = []
    for spec in specs:
        try:
            span, rest = spec.split("=", 1)
            amount, _, note = rest.partition(":")
            start, end = period(span, tz, "adjust")
            out.append(Adjustment(start, end, float(amount), note))
        except ValueError:
            raise ValidationError(f"{spec!r}: expected FROM..TO=AMOUNT:NOTE, e.g. "
                                  "2025-03-01..2025-09-01=12.5:new server room",
                                  field="adjust") from None
    return out


def _reporting_json(r) -> dict:
    return {"avoided": r.avoided, "adjusted_baseline": r.baseline_total,
            "actual": r.actual_total, "fraction": r.fraction, "points": r.counted,
            "uncertainty": r.uncertainty, "drift": r.drift, "cusum_end": float(r.cusum[-1])
            if len(r.cusum) else 0.0, "estimated_points": r.estimated,
            "estimated_total": r.estimated_total}
