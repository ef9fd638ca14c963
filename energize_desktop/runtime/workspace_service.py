"""The open workspace as a Qt service: widgets ask, results arrive as signals.

Widgets never touch DuckDB: they call these methods and receive plain data (polars frames and
domain objects) on the GUI thread. Stale answers are dropped: a series request carries a token
and only the latest token for a view is delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from PySide6.QtCore import QObject, QThreadPool, Signal

from energize_desktop.core.model import Meter, Site
from energize_desktop.core.rollup import Level
from energize_desktop.runtime.jobs import JobRunner
from energize_desktop.runtime.tasks import run_task
from energize_desktop.storage import Workspace
from energize_desktop.storage.metadata import CONNECTIONS, SYNC_LAST


@dataclass(frozen=True)
class Series:
    """A chart-ready series: x in seconds since the epoch (UTC), y with NaN for gaps."""

    meter: Meter
    level: Level
    x: np.ndarray
    y: np.ndarray
    unit: str
    label: str
    estimated: np.ndarray  # bool per point
    raw: bool = False  # the readings themselves (a short span of a sampled level)

    @property
    def resolution(self) -> str:
        return "raw reading" if self.raw else self.level.label

    @property
    def gap_count(self) -> int:
        nan = np.isnan(self.y)
        return int(np.count_nonzero(nan[1:] & ~nan[:-1]) + (1 if len(nan) and nan[0] else 0))


class WorkspaceService(QObject):
    """Reads for the pages arrive as signals; long work goes to `jobs` (runtime/jobs.JobRunner),
    each job's progress, result and error to the callbacks its caller gives."""

    opened = Signal(object)  # the workspace path
    series_ready = Signal(object)  # Series
    failed = Signal(str)  # a read for a page failed: a message for the user
    overview_ready = Signal(object)  # jobs.overview.Overview
    shapes_ready = Signal(str, object)  # meter name, analytics.shapes.Shapes

    def __init__(self, pool: QThreadPool | None = None, parent=None):
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self.jobs = JobRunner(self.pool, self)
        self.ws: Workspace | None = None
        self.feed = None  # runtime.logger_feed.LoggerFeed while a logger holds the workspace
        self._token = 0
        self._latest: dict[int, int] = {}  # meter id -> token of its newest series request

    # -- lifecycle ------------------------------------------------------------------------------
    def open(self, path: Path) -> None:
        """Open synchronously (a quick check of the file); errors raise WorkspaceError."""
        from energize_desktop.storage.errors import WorkspaceLocked

        feed = None
        try:
            ws = Workspace.open(path)
        except WorkspaceLocked:  # a logger holds it: its snapshot, read-only, and its feed
            from energize_desktop.live.read_api import open_for_reading
            from energize_desktop.runtime.logger_feed import LoggerFeed

            ws = open_for_reading(path)
            feed = LoggerFeed(ws.logger, self)
        self.close()
        self.ws, self.feed = ws, feed
        self.opened.emit(path)
        if feed is not None:
            feed.start()

    def close(self) -> None:
        if self.feed is not None:
            self.feed.stop()
            self.feed = None
        self.pool.waitForDone()
        if self.ws is not None:
            self.ws.close()
            self.ws = None

    def sites(self) -> list[Site]:
        return self.ws.sites() if self.ws else []

    def meters(self, site: Site | None = None) -> list[Meter]:
        return self.ws.meters(site) if self.ws else []

    # -- reads for the pages --------------------------------------------------------------------
    def request_series(self, meter_id: int, level: Level = Level.HOUR,
                       start_s: float | None = None, end_s: float | None = None):
        """A meter's rollup at `level`, whole or between local times (seconds); only the
        latest request per meter is delivered (a zoom supersedes the one before)."""
        self._token += 1
        token = self._token
        self._latest[meter_id] = token
        return run_task(self._load_series, meter_id, level, start_s, end_s, pool=self.pool,
                        on_done=lambda s: self._deliver(meter_id, token, s),
                        on_error=lambda e: self.failed.emit(f"Chart: {e}"))

    def _deliver(self, meter_id: int, token: int, series: Series) -> None:
        if self._latest.get(meter_id) == token:  # a newer request supersedes this one
            self.series_ready.emit(series)

    def _load_series(self, meter_id: int, level, start_s=None, end_s=None) -> Series:
        meter = self.ws.meter(meter_id)
        # local seconds to UTC with a day's margin either side (the offset is at most 14 h)
        start = None if start_s is None else _utc(start_s - 86400)
        end = None if end_s is None else _utc(end_s + 86400)
        if level == RAW and meter.is_virtual:
            level = Level.QUARTER  # computed from its terms' rollups: no readings of its own
        if level == RAW:
            return self._raw_series(meter, start, end)
        frame = self.ws.queries.rollup(level, [meter_id], start, end)
        return series_from_rollup(meter, level, frame, self.ws.state.calendar_of(meter_id))

    def warm_up(self):
        """Import the analytics libraries in the background once the window is up: loading a
        C extension holds the Python GIL for up to ~100 ms, which would otherwise freeze the
        window the first time detection or a baseline runs (benchmarks/ui.py heartbeat)."""
        return run_task(_import_analytics, pool=self.pool)

    def _raw_series(self, meter: Meter, start, end) -> Series:
        """The readings of a sampled level (kW, °C) as they came: gaps where the meter's own
        gap length is exceeded, never a line drawn across them."""
        frame = self.ws.queries.readings([meter.id], start, end)
        utc_us = frame["ts"].cast(pl.Int64).to_numpy()
        cal = self.ws.state.calendar_of(meter.id)
        x = (utc_us + cal.offsets(utc_us)) / 1_000_000
        y = frame["value"].to_numpy().astype(float)
        gap = np.flatnonzero(np.diff(utc_us) > meter.gap_s * 1_000_000)
        x, y = np.insert(x, gap + 1, x[gap] + 1), np.insert(y, gap + 1, np.nan)
        quality = np.insert(frame["quality"].to_numpy(), gap + 1, 0)
        return Series(meter, Level.QUARTER, x, y, meter.unit, f"{meter.name} — readings",
                      (quality == 8) | (quality == 9), raw=True)

    def request_overview(self):
        from energize_desktop.jobs.overview import overview

        return run_task(overview, self.ws, pool=self.pool, on_done=self.overview_ready.emit,
                        on_error=lambda e: self.failed.emit(f"Overview: {e}"))

    def request_shapes(self, meter_id: int, start_s: float | None = None,
                       end_s: float | None = None):
        """Carpet, load duration and day profiles of a meter, of its whole history or of
        [start, end) local wall-clock seconds (the time range control)."""
        return run_task(self._load_shapes, meter_id, start_s, end_s, pool=self.pool,
                        on_done=lambda r: self.shapes_ready.emit(*r),
                        on_error=lambda e: self.failed.emit(f"Load shapes: {e}"))

    def _load_shapes(self, meter_id: int, start_s=None, end_s=None):
        from energize_desktop.analytics.local_time import local_times
        from energize_desktop.analytics.shapes import shapes
        from energize_desktop.jobs.detection import meter_series

        meter = self.ws.meter(meter_id)
        zone = self.ws.site_of(meter).timezone
        start_us, end_us = (None, None) if start_s is None else \
            (_utc_us(start_s, zone), _utc_us(end_s, zone))
        series = meter_series(self.ws, meter, 3600, start_us, end_us)
        months = local_times(series.ts_us, series.tz).month
        return meter.name, shapes(series, months)  # kWh per hour, which reads as mean kW

    # -- jobs: each returns the running task (cancel()), or None when refused ----------------
    def detect(self, meters: list[Meter] | None = None, **callbacks):
        """Score the meters' whole history; cancelling stops between meters, keeping the events
        of the meters finished. The result: jobs.detection.JobResult."""
        from energize_desktop.jobs.detection import DetectionJob

        return self.jobs.start(DetectionJob(self.ws, meters or self.meters()), **callbacks)

    def fit_baseline(self, request, on_done=None, **callbacks):
        """on_done(result, the site's UTC offset in seconds at its first step)."""
        from energize_desktop.jobs.mv import BaselineJob

        def done(result):
            if on_done:
                on_done(result, self._offset(request, result))

        return self.jobs.start(BaselineJob(self.ws, request), on_done=done, **callbacks)

    def _offset(self, request, result) -> float:
        ts = result["rows"][0]
        if not str(request.meter).isdigit() or not len(ts):
            return 0.0
        return self.local_seconds(int(request.meter), int(ts[0])) - ts[0] / 1e6

    def import_files(self, paths: list, options, save_profile: str = "", **callbacks):
        """Files one by one, each in its own transaction; `cancel()` rolls back the current one.
        The result: jobs.import_files.ImportOutcome."""
        from energize_desktop.jobs.import_files import ImportJob

        return self.jobs.start(ImportJob(self.ws, paths, options, save_profile), **callbacks)

    def generate_report(self, request: dict, **callbacks):
        """Build the report model and write it (PDF or HTML): (path, bytes, report)."""
        from energize_desktop.reports.job import ReportJob
        from energize_desktop.runtime.pdf import write_report

        job = ReportJob(self.ws, request["site"], request["period"], request["template"],
                        request["out"], write_report)
        return self.jobs.start(job, **callbacks)

    def probe_device(self, link, unit_id: int, template_id: str, **callbacks):
        from energize_desktop.live.device_probe import ProbeJob
        from energize_desktop.live.templates import load_all

        return self.jobs.start(ProbeJob(link, unit_id, load_all()[template_id]), **callbacks)

    def scan_bus(self, link, first: int, last: int, **callbacks):
        from energize_desktop.live.device_probe import ScanJob

        return self.jobs.start(ScanJob(link, first, last), **callbacks)

    def sync_now(self, dsn: str | None = None, **callbacks):
        """Push to the shared server and pull its definitions. The DSN is kept without its
        password (moved to the keyring) for the next time. The result: a summary line."""
        from energize_desktop.sync.session import SyncJob

        return self.jobs.start(SummaryJob(SyncJob(self.ws, dsn), _sync_summary), **callbacks)

    # -- small reads and writes, on the calling thread -------------------------------------------
    def last_sync(self) -> str | None:
        return SYNC_LAST.get(self.ws) if self.ws is not None else None

    def connections_text(self) -> str | None:
        """The kept connection settings (TOML), or None."""
        return CONNECTIONS.get(self.ws) if self.ws is not None else None

    def profiles(self) -> list[str]:
        from energize_desktop.jobs import import_profiles

        return import_profiles.names(self.ws) if self.ws else []

    def data_ranges(self) -> dict:
        """Each meter's first and last local day with readings: {meter id: (date, date)}."""
        from zoneinfo import ZoneInfo

        if self.ws is None:
            return {}
        out = {}
        for meter_id, s in self.ws.queries.summaries().items():
            if s.first is None or s.last is None:
                continue
            zone = ZoneInfo(self.ws.site_of(self.ws.meter(meter_id)).timezone)
            out[meter_id] = (s.first.astimezone(zone).date(), s.last.astimezone(zone).date())
        return out

    def baseline_names(self) -> list[str]:
        from energize_desktop.storage.baselines import BaselineStore

        return [b["name"] for b in BaselineStore(self.ws).list()] if self.ws else []

    def alerts(self) -> list[dict]:
        from energize_desktop.storage.alerts import AlertStore

        return AlertStore(self.ws).alerts() if self.ws else []

    def stored_events(self) -> list:
        """The last detection run's events of every meter, as kept in the workspace: what
        the Anomalies page shows again when a workspace is reopened."""
        from energize_desktop.jobs.detection import stored_events

        return stored_events(self.ws) if self.ws else []

    def episodes(self, events: list) -> list:
        """The alarms grouped into episodes (one fault seen on a meter and its containers)."""
        from energize_desktop.jobs.episodes import containers, episodes

        return episodes(events, containers(self.ws)) if self.ws else []

    def move_alert(self, alert_id: int, action: str, note: str, who: str) -> None:
        from energize_desktop.storage.alerts import AlertStore

        AlertStore(self.ws).move(alert_id, action, who, note)

    def dismiss(self, event, note: str) -> None:
        """'Not an anomaly': kept in the meter's detection settings for every later run."""
        from energize_desktop.jobs.detection import settings_for
        from energize_desktop.storage.anomalies import AnomalyStore

        settings = settings_for(self.ws, event.meter_id).dismiss(_dismissal(event, note))
        AnomalyStore(self.ws).set_settings_json(event.meter_id, settings.to_json())

    def undismiss(self, event, note: str) -> None:
        """Take a 'not an anomaly' back: the next run judges the event again."""
        from energize_desktop.jobs.detection import settings_for
        from energize_desktop.storage.anomalies import AnomalyStore

        settings = settings_for(self.ws, event.meter_id).undismiss(_dismissal(event, note))
        AnomalyStore(self.ws).set_settings_json(event.meter_id, settings.to_json())

    def set_site(self, site_id: int, values: dict, who: str) -> list:
        """Edit a site (recorded: jobs.describe, storage.changes); the changes made, [] when
        nothing differed. A new zone rebuilds the site's local rollups."""
        from energize_desktop.jobs.describe import set_site

        _, done = set_site(self.ws, site_id, values, who)
        return done

    def set_meter(self, meter_id: int, values: dict, who: str) -> list:
        """Edit a meter (recorded); a new calorific value or fuel rebuilds its rollups."""
        from energize_desktop.jobs.describe import set_meter

        _, done = set_meter(self.ws, meter_id, values, who)
        return done

    def undo_edit(self, kind: str, object_id: int, who: str) -> list:
        """Undo the latest recorded edit of this site or meter."""
        from energize_desktop.jobs.describe import undo

        return undo(self.ws, who, kind, object_id)

    def local_seconds(self, meter_id: int, utc_us: int) -> float:
        """A UTC instant as the chart's x: the site's wall-clock time in seconds."""
        cal = self.ws.state.calendar_of(meter_id)
        return (utc_us + int(cal.offsets(np.array([utc_us]))[0])) / 1_000_000


def _utc_us(local_s: float, zone: str) -> int:
    """Local wall-clock seconds (a naive time read as UTC) as a UTC instant in µs."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    wall = datetime.fromtimestamp(local_s, timezone.utc).replace(tzinfo=ZoneInfo(zone))
    return int(wall.timestamp() * 1_000_000)


class SummaryJob:
    """A job whose result the window shows as one line."""

    def __init__(self, job, summary):
        self.job, self.summary, self.title = job, summary, job.title

    def prepare(self) -> None:
        self.job.prepare()

    def run(self, progress=None, cancelled=None) -> str:
        return self.summary(self.job.run(progress, cancelled))


def _sync_summary(out) -> str:
    r, pulled = out.push, out.pull
    return (f"{r.readings_new:,} new readings, {r.anomalies} anomalies, {r.alerts} alerts "
            f"pushed; {len(pulled.added)} definitions pulled, {len(pulled.conflicts)} "
            f"conflicts in {r.seconds:.1f} s")


RAW = "raw"  # a series request for the readings themselves


def _import_analytics() -> None:
    import scipy.optimize  # noqa: F401
    import scipy.stats  # noqa: F401
    import sklearn.ensemble  # noqa: F401

    from energize_desktop.analytics import ensemble  # noqa: F401
    from energize_desktop.jobs import evidence  # noqa: F401


def _utc(local_s: float):
    from datetime import datetime, timezone

    return datetime.fromtimestamp(max(local_s, 0), timezone.utc)


def series_from_rollup(meter: Meter, level: Level, frame: pl.DataFrame, cal) -> Series:
    """Rollup rows on a complete grid: a missing bucket becomes NaN, a gap is never a zero.

    x is the site's local wall-clock time in seconds, so the axis reads as the building lives.
    """
    step = {Level.QUARTER: 900, Level.HOUR: 3600}.get(level, 86400)
    if frame.is_empty():
        empty = np.zeros(0)
        return Series(meter, level, empty, empty, meter.unit, meter.name, np.zeros(0, bool))
    if level.keyed_by_date:
        secs = frame["bucket"].cast(pl.Int32).to_numpy().astype(np.int64) * 86400
    else:
        utc_us = frame["bucket"].dt.cast_time_unit("us").cast(pl.Int64).to_numpy()
        secs = (utc_us + cal.offsets(utc_us)) // 1_000_000
    grid = np.arange(secs[0], secs[-1] + step, step)
    idx = np.searchsorted(grid, secs)
    y = np.full(len(grid), np.nan)
    est = np.zeros(len(grid), bool)
    if meter.amount_unit is not None:  # average power at every level: the axis keeps its unit
        if level == Level.DAY:
            days = frame["bucket"].cast(pl.Int32).to_numpy()
            hours = cal.day_length_us(days) / 3_600_000_000  # 23 or 25 on clock-change days
        else:
            hours = step / 3600
        y[idx] = frame["amount"].to_numpy() / hours
        unit = meter.rate_unit
        label = f"{meter.name} — average {unit} per {level.label}"
    else:
        y[idx] = frame["mean"].to_numpy()
        unit, label = meter.unit, f"{meter.name} — mean"
    est[idx] = frame["estimated_s"].to_numpy() > 0
    return Series(meter, level, grid.astype(np.float64), y, unit or "", label, est)


def _dismissal(event, note: str):
    from energize_desktop.analytics.settings import Dismissal

    return Dismissal(event.start_us, event.end_us, event.kind.value, event.score, note)
