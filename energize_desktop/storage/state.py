"""The open rollup buckets of a workspace, held in memory and rebuilt from the file on open.

Closed buckets are stored in the rollup tables at each flush, together with each meter's latest
reading at that moment (the watermark). Open buckets, and closed ones not yet flushed, live only
here; none is the only copy of anything: `recover` rebuilds them from the stored rows below the
watermark and replays the raw readings after it.
"""

from __future__ import annotations

import threading
from typing import cast

import numpy as np

from energize_desktop.core.incremental import (
    LEVELS,
    UPPER,
    OpenState,
    advance,
    boundary,
    catch_up,
    open_rows,
)
from energize_desktop.core.model import Meter, Semantics
from energize_desktop.core.rollup import Buckets, Calendars, Level, roll_up
from energize_desktop.core.semantics import (
    SEM_CUMULATIVE,
    SEM_INSTANTANEOUS,
    SEM_INTERVAL,
    MeterParams,
)
from energize_desktop.core.timezones import US, calendar
from energize_desktop.core.units import DEFAULT_GAS_KWH_PER_M3, Dimension, parse_unit
from energize_desktop.storage.frames import (
    as_timestamp,
    batch_from_arrow,
    batch_from_sql,
    buckets_from_sql,
    buckets_table,
    insert_arrow,
    temp_table,
)
from energize_desktop.storage.schema import ROLLUP_TABLES

_SEM_CODE = {Semantics.CUMULATIVE: SEM_CUMULATIVE, Semantics.INTERVAL: SEM_INTERVAL,
             Semantics.INSTANTANEOUS: SEM_INSTANTANEOUS}
REPLAY_CHUNK = 4_000_000


class RollupState:
    """Open buckets and last readings; `lock` is held across every read-modify-commit."""

    def __init__(self, ws):
        self.ws = ws
        self.lock = threading.RLock()
        self._params: MeterParams | None = None
        self._cals: Calendars | None = None
        self._version = -1
        self.current = OpenState.empty(0)

    # -- meter parameters -----------------------------------------------------------------------
    def params(self, refresh: bool = False) -> MeterParams:
        # The version is read *before* the meters: a meter added meanwhile (the window adding a
        # device while a chart query runs on a worker) makes the next call rebuild, instead of
        # recording the new version against the old meters (seen: a writer indexing past the
        # end of its arrays when acquisition started from the window).
        with self.lock:
            version = self.ws.catalog_version
            if refresh or self._params is None or self._version != version:
                meters = self.ws.meters()
                self._params = meter_params(meters)
                self._cals = _calendars(self.ws.sites(), meters, len(self._params.semantics))
                self._version = version
                self.current = self.current.grown(len(self._params.semantics))
            return self._params

    @property
    def calendars(self) -> Calendars:
        self.params()
        return cast(Calendars, self._cals)

    def calendar_of(self, meter_id: int):
        return self.calendars.of(meter_id)

    # -- reading --------------------------------------------------------------------------------
    def rows(self, level: Level, meter_ids=None) -> Buckets:
        """Rows of `level` that are not in the store (pending and open). Hold `lock`."""
        calendars = self.calendars  # first: it may grow self.current for meters added since
        self.current = catch_up(self.current, calendars)
        ids = None
        if meter_ids is not None:
            ids = np.asarray(meter_ids, np.int64)
            ids = ids[(ids >= 0) & (ids < self.current.capacity)]
        return open_rows(self.current, level, self.calendars, ids)

    # -- writing --------------------------------------------------------------------------------
    def prepare_flush(self, state: OpenState) -> tuple[OpenState, list]:
        """Catch up and turn pending rows into Arrow tables: the flush's work without the
        database, so a bulk load can do it while its raw insert runs."""
        state = catch_up(state, self.calendars)
        tables = [(level, buckets_table(level, state.pending_at(level))) for level in LEVELS]
        return state, [(level, t) for level, t in tables if t.num_rows]

    def flush(self, cur, state: OpenState, prepared: list | None = None) -> OpenState:
        """Store every closed row and the watermark; call inside the writer's transaction."""
        if prepared is None:
            state, prepared = self.prepare_flush(state)
        for level, table in prepared:
            insert_arrow(cur, ROLLUP_TABLES[level], table)
        has = np.flatnonzero(state.last_ts != np.iinfo(np.int64).min)
        cur.execute("DELETE FROM rollup_watermark")
        with temp_table(cur, "wm", {"meter_id": has.astype(np.int32),
                                    "last_ts": state.last_ts[has]}) as wm:
            cur.execute(f"INSERT INTO rollup_watermark SELECT * FROM {wm}")
        return state.flushed()

    # -- recovery -------------------------------------------------------------------------------
    @classmethod
    def recover(cls, ws) -> "RollupState":
        state = cls(ws)
        with state.lock:
            params = state.params()
            cur = ws.cursor()
            marks = cur.execute("SELECT meter_id, last_ts FROM rollup_watermark").fetchall()
            base = OpenState.empty(len(params.semantics))
            if marks:
                base = state._state_at(cur, params, marks, base)
            state.current = state._replay(cur, params, base)
            if state.current.pending_rows and not ws.read_only:
                from energize_desktop.storage.transaction import transaction

                with transaction(cur):
                    state.current = state.flush(cur, state.current)
        return state

    def _state_at(self, cur, params, marks, base: OpenState) -> OpenState:
        """The state as it was at the last flush, from stored rows and the raw open quarter."""
        ids = np.array([m[0] for m in marks], np.int32)
        wm = np.array([m[1] for m in marks], np.int64)
        lo = np.empty_like(wm)
        for cal, sel in self.calendars.groups(ids):
            lo[sel] = boundary(Level.QUARTER, wm[sel], cal)
        with temp_table(cur, "tail", {"meter_id": ids, "lo": as_timestamp(lo),
                                      "hi": as_timestamp(wm)}) as t:
            tail = batch_from_sql(cur, f"""
                SELECT r.meter_id, epoch_us(r.ts) AS ts, r.value, r.quality FROM readings r
                JOIN {t} b ON r.meter_id = b.meter_id
                WHERE r.ts >= b.lo AND r.ts <= b.hi AND r.ts >= ?
                ORDER BY r.meter_id, r.ts""", [as_timestamp(lo.min())])
            ctx = context_before(cur, t)
        base = base.with_last(*ctx)
        # Pieces of the first interval before the open quarter were stored when they closed.
        at = advance(base, tail, params)
        upper = []
        for level in UPPER:
            upper.append(roll_up(self._closed_children(cur, level, ids, at.last_ts), level,
                                 self.calendars))
        return OpenState(at.last_ts, at.last_value, at.open_quarters, tuple(upper),
                         ((), (), (), ()), ())

    def _closed_children(self, cur, level: Level, ids, last_ts) -> Buckets:
        """Stored rows of the level below inside each meter's open bucket at `level`."""
        child = Level(level - 1)
        lo = np.empty(len(ids), np.int64)
        hi = np.empty(len(ids), np.int64)
        for cal, sel in self.calendars.groups(ids):
            lt = last_ts[ids[sel]]
            parent = boundary(level, lt, cal)
            lo[sel] = cal.day_start_utc(parent) if level is Level.DAY else parent
            hi[sel] = boundary(child, lt, cal)
        return buckets_from_sql(cur, child, ids, lo, hi)

    def _replay(self, cur, params, state: OpenState) -> OpenState:
        """Advance through raw readings after each meter's watermark, in bounded chunks."""
        known = np.flatnonzero(state.last_ts != np.iinfo(np.int64).min)
        marked = cur.execute("SELECT meter_id FROM rollup_watermark").fetchall()
        unmarked = cur.execute(
            "SELECT DISTINCT meter_id FROM readings WHERE meter_id NOT IN "
            "(SELECT meter_id FROM rollup_watermark)").fetchall()
        with temp_table(cur, "after", {"meter_id": known.astype(np.int32),
                                       "wm": as_timestamp(state.last_ts[known])}) as t:
            queries = []
            if marked:
                floor = as_timestamp(state.last_ts[known].min())
                queries.append((f"""SELECT r.meter_id, epoch_us(r.ts) AS ts, r.value, r.quality
                    FROM readings r JOIN {t} w ON r.meter_id = w.meter_id
                    WHERE r.ts > w.wm AND r.ts > ? ORDER BY r.meter_id, r.ts""", [floor]))
            if unmarked:
                ids = [u[0] for u in unmarked]
                queries.append((f"""SELECT meter_id, epoch_us(ts) AS ts, value, quality
                    FROM readings WHERE meter_id IN ({', '.join('?' * len(ids))})
                    ORDER BY meter_id, ts""", ids))
            for sql, args in queries:
                for chunk in cur.sql(sql, params=args).to_arrow_reader(REPLAY_CHUNK):
                    state = advance(state, batch_from_arrow(chunk), params)
        return catch_up(state, self.calendars)


CONTEXT_WINDOW_US = 7 * 86_400 * US  # where a meter's previous reading nearly always is


def context_before(cur, bounds: str):
    """Each meter's last reading before `lo` in a registered (meter_id, lo) table: looked for
    in the week before the earliest `lo` first (zone maps skip the rest of the table), then,
    for the meters without one there, in all their history."""
    floor = cur.execute(f"SELECT min(lo) FROM {bounds}").fetchall()[0][0]
    if floor is None:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)
    since = floor - np.timedelta64(CONTEXT_WINDOW_US, "us").astype(object)
    rows = _last_before(cur, bounds, "AND r.ts >= ?", [since])
    found = {r[0] for r in rows}
    if len(found) < cur.execute(f"SELECT count(DISTINCT meter_id) FROM {bounds}").fetchall()[0][0]:
        rest = [r for r in _last_before(cur, bounds, "AND r.ts < ?", [since])
                if r[0] not in found]
        rows += rest
    return (np.array([r[0] for r in rows], np.int64), np.array([r[1] for r in rows], np.int64),
            np.array([r[2] for r in rows], np.float64))


def _last_before(cur, bounds: str, clause: str, params: list) -> list:
    return cur.execute(f"""
        SELECT r.meter_id, epoch_us(max(r.ts)), arg_max(r.value, r.ts) FROM readings r
        JOIN {bounds} b ON r.meter_id = b.meter_id WHERE r.ts < b.lo {clause}
        GROUP BY r.meter_id""", params).fetchall()


def meter_params(meters: list[Meter]) -> MeterParams:
    size = max((cast(int, m.id) for m in meters), default=0) + 1
    semantics = np.zeros(size, np.int8)
    factor = np.ones(size)
    additive = np.zeros(size, bool)
    interval_us = np.full(size, 900 * US, np.int64)
    gap_us = np.full(size, 2700 * US, np.int64)
    rollover = np.full(size, np.nan)
    max_rate = np.full(size, np.nan)
    for m in meters:
        semantics[m.id] = _SEM_CODE[m.semantics]
        factor[m.id], additive[m.id] = _amount_factor(m)
        interval_us[m.id] = m.interval_s * US
        gap_us[m.id] = m.gap_s * US
        rollover[m.id] = np.nan if m.rollover is None else m.rollover
        if m.max_power_kw is not None:
            max_rate[m.id] = m.max_power_kw
    return MeterParams(semantics, factor, additive, interval_us, gap_us, rollover, max_rate)


def _calendars(sites, meters, capacity: int) -> Calendars:
    zones = sorted({s.timezone for s in sites}) or ["UTC"]
    cals = [calendar(z) for z in zones]
    tz_of_site = {s.id: zones.index(s.timezone) for s in sites}
    index = np.zeros(capacity, np.int32)
    for m in meters:
        index[m.id] = tz_of_site[m.site_id]
    return Calendars(cals, index)


def _amount_factor(meter: Meter) -> tuple[float, bool]:
    """Raw value × factor = amount in the meter's amount unit (or rate, for power and flow)."""
    unit = parse_unit(meter.unit)
    if meter.amount_unit is None:
        return 1.0, False
    factor = unit.factor
    volume = unit.dimension in (Dimension.VOLUME, Dimension.FLOW)
    if volume and meter.amount_unit == "kWh":  # gas by volume
        factor *= meter.calorific_kwh_per_m3 or DEFAULT_GAS_KWH_PER_M3
    return factor, True
