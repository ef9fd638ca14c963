"""Detection over a workspace: read each meter's series, run the ensemble, store its events.

Runs on any thread (the interface and the live logger call it from a worker); `progress(done,
total, meter)` is called after each meter and `cancelled()` is checked before each, so a long
batch run can be stopped between meters with what was finished kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

import numpy as np

from energize_desktop.analytics.ensemble import Detection, detect
from energize_desktop.analytics.events import Event
from energize_desktop.analytics.series import Series, on_grid
from energize_desktop.analytics.settings import DetectorSettings
from energize_desktop.core.model import Meter, MeterKind, Role
from energize_desktop.core.rollup import MIN_COVERAGE, Level
from energize_desktop.core.timezones import US
from energize_desktop.jobs.base import Job
from energize_desktop.jobs.calendar import calendar_for
from energize_desktop.storage.anomalies import AnomalyStore
from energize_desktop.storage.api import WorkspaceAPI

LEVELS = {3600: "hour", 900: "15min"}


@dataclass
class JobResult:
    events: list[Event] = field(default_factory=list)
    not_run: dict[str, dict[str, str]] = field(default_factory=dict)  # meter -> detector -> why
    meters_done: int = 0
    cancelled: bool = False


class DetectionJob(Job):
    """Score meters' history; cancelling stops between meters, keeping those finished."""

    title = "Detection"

    def __init__(self, ws: WorkspaceAPI, meters: list[Meter], step_s: int = 3600, start_us=None, end_us=None,
                 store: bool = True):
        self.ws, self.meters, self.step_s = ws, meters, step_s
        self.start_us, self.end_us, self.store = start_us, end_us, store

    def run(self, progress=None, cancelled=None) -> JobResult:
        return run(self.ws, self.meters, self.step_s, self.start_us, self.end_us,
                   store=self.store, progress=progress, cancelled=cancelled)


def meter_series(ws: WorkspaceAPI, meter: Meter, step_s: int = 3600, start_us=None, end_us=None) -> Series:
    """Energy (or the mean, for temperatures and other levels) per step, gaps as NaN."""
    return meters_series(ws, [meter], step_s, start_us, end_us)[meter.id]


def meters_series(ws: WorkspaceAPI, meters: list[Meter], step_s: int = 3600, start_us=None,
                  end_us=None) -> dict[int, Series]:
    """`meter_series` of several meters. Read one meter at a time on purpose: one query for
    fifty meters builds arrays of a hundred MB whose first touch costs more here than fifty
    small reads (benchmarks/ledger.py measured 6.9 s against 2.4 s for 50 meter-years)."""
    level = LEVELS.get(step_s)
    if level is None:
        raise ValueError(f"detection step {step_s} s: expected 900 or 3600")
    out = {}
    for meter in meters:
        ts, amount, mean, coverage, estimated_s = _columns(ws, meter, level, start_us, end_us)
        column = "amount" if meter.amount_unit else "mean"  # energy per step, or a level's mean
        values = amount if column == "amount" else mean
        values = np.where(np.nan_to_num(coverage) >= MIN_COVERAGE, values, np.nan)
        unit = meter.amount_unit if column == "amount" else meter.unit
        series = on_grid(meter.name, unit or meter.unit, ts, values, step_s,
                         ws.site_of(meter).timezone)
        if len(ts) and len(series):  # what the product estimated (a gap bridged)
            est = np.nan_to_num(estimated_s) > 0
            placed = on_grid("", "", ts, est.astype(float), step_s).values
            series = replace(series, estimated=np.nan_to_num(placed) > 0)
        out[meter.id] = series
    return out


def _columns(ws: WorkspaceAPI, meter: Meter, level: str, start_us, end_us):
    """Bucket start (µs), amount, mean, coverage and estimated seconds of one meter's rollup:
    read as numpy for a measured meter (no frame is built), from the frame for a virtual one."""
    if meter.is_virtual:
        frame = ws.queries.rollup(level, [meter.id], _dt(start_us), _dt(end_us))
        if not len(frame):
            empty = np.zeros(0)
            return np.zeros(0, np.int64), empty, empty, empty, empty
        return (frame["bucket"].cast(int).to_numpy(),
                *(frame[c].to_numpy().astype(float)
                  for c in ("amount", "mean", "coverage", "estimated_s")))
    parsed = Level.parse(level)
    rows = ws.queries.measured_buckets(parsed, [meter.id], _dt(start_us), _dt(end_us))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(rows.n > 0, rows.vsum / rows.n, np.nan)
    return rows.key, rows.amount, mean, ws.queries.coverage(parsed, rows), rows.estimated_s


def settings_for(ws: WorkspaceAPI, meter_id: int) -> DetectorSettings:
    text = AnomalyStore(ws).settings_json(meter_id)
    return DetectorSettings.from_json(text, f"detection settings of meter {meter_id}")


def run(ws: WorkspaceAPI, meters: list[Meter], step_s: int = 3600, start_us=None, end_us=None,
        since_us: int | None = None, live: bool = False, store: bool = True,
        progress=None, cancelled=None) -> JobResult:
    result = JobResult()
    store_ = AnomalyStore(ws)
    temp_meter = _temperature_meter(ws, meters)
    temperature = None if temp_meter is None else (
        temp_meter.id, meter_series(ws, temp_meter, step_s, start_us, end_us))
    for i, meter in enumerate(meters):
        if cancelled is not None and cancelled():
            result.cancelled = True
            break
        found = detect_meter(ws, meter, step_s, start_us, end_us, since_us, live, temperature)
        result.events += found.events
        if found.not_run:
            result.not_run[meter.name] = found.not_run
        if store:
            store_.replace_events(meter.id, [_row(e) for e in found.events], since_us)
            _record_run(ws, meter, found, step_s)
        result.meters_done = i + 1
        if progress is not None:
            progress(i + 1, len(meters), meter.name)
    return result


def detect_meter(ws: WorkspaceAPI, meter: Meter, step_s=3600, start_us=None, end_us=None, since_us=None,
                 live=False, temperature: tuple[int, Series] | None = None) -> Detection:
    """`temperature`: (meter id, series) of the site's outdoor temperature, read once per run."""
    series = meter_series(ws, meter, step_s, start_us, end_us)
    if temperature is not None and temperature[0] != meter.id and len(series):
        series = series.with_temperature(align_to(series, temperature[1]))
    if len(series):  # the site's holidays and closures are compared with its weekends
        cal = calendar_for(ws.site_of(meter), int(series.ts_us[0]), int(series.ts_us[-1]))
        series = series.with_calendar(cal.non_working)
    settings = settings_for(ws, meter.id)
    found = detect(series, settings, meter.id, live=live, since_us=since_us,
                   level_channel=meter.amount_unit is None, quality_only=_quality_only(meter))
    children, generating = _hierarchy(ws)
    children = [m for m in children.get(meter.id, ()) if m.amount_unit == meter.amount_unit]
    # behind a meter with generation on its site, sub-meters rightly read more than its net
    if children and len(series) and meter.amount_unit and meter.site_id not in generating:
        subs = meters_series(ws, children, step_s, start_us, end_us)
        extra = submeter_excess(series, [subs[c.id] for c in children], meter.id)
        found.events += [e for e in extra if since_us is None or e.end_us > since_us]
    return found


_HIERARCHY: dict = {}


def _hierarchy(ws: WorkspaceAPI) -> tuple[dict[int, list[Meter]], set]:
    """Enabled sub-meters by parent id, and the sites with generation — read once per catalog
    version, not for every meter scored (a workspace of 20,000 meters)."""
    key = (id(ws), ws.catalog_version)
    if key not in _HIERARCHY:
        children: dict[int, list[Meter]] = {}
        generating = set()
        for m in ws.meters():
            if m.parent_id is not None and m.enabled:
                children.setdefault(m.parent_id, []).append(m)
            if m.effective_role is Role.GENERATION:
                generating.add(m.site_id)
        _HIERARCHY.clear()
        _HIERARCHY[key] = (children, generating)
    return _HIERARCHY[key]


SUBMETER_SLACK = 0.02  # sub-meters may read a little over their parent (CT accuracy classes)
SUBMETER_HOURS = 3  # ... for this long before it is a finding, not a rounding


def submeter_excess(parent: Series, subs: list[Series], meter_id: int | None = None) -> list:
    """Hours where the sub-meters together read more than the meter they are inside — a CT
    on the wrong meter, a sub-meter counted twice, a parent that lost pulses: a data-quality
    warning on the parent, with the amounts."""
    from energize_desktop.analytics.events import (
        Event,
        Kind,
        Severity,
        local_span,
        runs,
    )

    total = np.zeros(len(parent))
    for s in subs:
        total = total + align_to(parent, s)  # NaN where any sub-meter has no data
    v = parent.values
    over = np.nan_to_num(total - v * (1 + SUBMETER_SLACK), nan=-1.0) > 0
    need = max(1, SUBMETER_HOURS * 3600 // parent.step_s)
    events = []
    for a, b in runs(over):
        if b - a < need:
            continue
        end = int(parent.ts_us[b - 1]) + parent.step_s * US
        sub_sum, own = float(np.nansum(total[a:b])), float(np.nansum(v[a:b]))
        events.append(Event(
            parent.name, int(parent.ts_us[a]), end, Kind.OUT_OF_RANGE, Severity.WARNING, 1.5,
            f"{local_span(int(parent.ts_us[a]), end, parent.tz)}: its {len(subs)} sub-meters "
            f"read {sub_sum:,.1f} {parent.unit}, more than its own {own:,.1f} {parent.unit} "
            "(a CT on the wrong meter, a sub-meter counted twice, or lost pulses)",
            "quality", meter_id, sub_sum - own))
    return events


def _quality_only(meter: Meter) -> str | None:
    """A meter's role decides which rules apply: what the sun makes or the grid takes back
    follows the weather, not the building's schedule — its data is checked, not its use."""
    role = meter.effective_role
    if role is Role.GENERATION:
        return "generation follows the weather: data-quality checks only (zero at night is " \
               "expected)"
    if role is Role.EXPORT:
        return "export is what generation leaves over: data-quality checks only"
    return None


def _temperature_meter(ws: WorkspaceAPI, meters: list[Meter]) -> Meter | None:
    sites = {m.site_id for m in meters}
    for m in ws.meters():
        if m.kind is MeterKind.TEMPERATURE and m.site_id in sites:
            return m
    return None


def align_to(series: Series, other: Series) -> np.ndarray:
    out = np.full(len(series), np.nan)
    idx = np.searchsorted(series.ts_us, other.ts_us)
    ok = (idx < len(series)) & (series.ts_us[np.minimum(idx, len(series) - 1)] == other.ts_us)
    out[idx[ok]] = other.values[ok]
    return out


def _record_run(ws: WorkspaceAPI, meter: Meter, found: Detection, step_s: int) -> None:
    """What the run was, kept beside its events: when, by which version, with which settings
    and constants — so a result shown on reopen can be told from one a newer run would give."""
    from dataclasses import asdict

    from energize_desktop import __version__
    from energize_desktop.analytics.settings import Tuning
    from energize_desktop.storage.metadata import DETECTION_RUN

    alarms = len(found.alarms())
    DETECTION_RUN.set(ws, {
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "version": __version__,
        "step_s": step_s, "settings": json.loads(settings_for(ws, meter.id).to_json()),
        "constants": asdict(Tuning()), "alarms": alarms,
        "findings": len(found.events) - alarms, "not_run": found.not_run},
        suffix=meter.uid)


def last_run(ws: WorkspaceAPI, meter: Meter) -> dict:
    from energize_desktop.storage.metadata import DETECTION_RUN

    return DETECTION_RUN.get(ws, suffix=meter.uid)


def stored_events(ws: WorkspaceAPI, meter_ids=None) -> list[Event]:
    """The events the last runs stored, as Events again (meter names of today)."""
    from energize_desktop.analytics.events import Kind, Severity

    names = {m.id: m.name for m in ws.meters()}
    out = []
    for r in AnomalyStore(ws).events(meter_ids):
        try:
            kind, severity = Kind(r["kind"]), Severity(r["severity"])
        except ValueError:
            continue  # a kind a newer version wrote: not shown rather than misread
        out.append(Event(names.get(r["meter_id"], f"meter {r['meter_id']}"), r["start_us"],
                         r["end_us"], kind, severity, float(r["score"]), r["explanation"],
                         r["detector"], r["meter_id"], r.get("stake")))
    return out


def _row(e: Event) -> dict:
    return {"start_us": e.start_us, "end_us": e.end_us, "kind": e.kind.value,
            "severity": e.severity.value, "score": e.score, "explanation": e.explanation,
            "detector": e.detector, "stake": e.stake}


def _dt(us):
    return None if us is None else datetime.fromtimestamp(us / US, timezone.utc)
