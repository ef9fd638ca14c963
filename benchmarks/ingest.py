"""Ingest and query benchmark: 100 meters × 1 year of 1-minute data (52.6 M readings),
Energize's DuckDB workspace side by side with a SQLite store doing the same work.

Figures: bulk load (rollups included), the live path (batches of 1,000, each committed, rollups
kept current), three queries on the loaded stores, and bytes per reading on disk.
"""

from __future__ import annotations

import shutil
import statistics
import time
from datetime import datetime, timedelta

import numpy as np

from benchmarks.common import WORK, YEAR_START, Figure, Result, median_time, minute_data
from benchmarks.sqlite_store import SqliteStore
from energize_desktop.core.model import Meter, Site
from energize_desktop.storage import Workspace

US = 1_000_000


def run(meters: int = 100, days: int = 365, live_days: int = 7) -> Result:
    WORK.mkdir(parents=True, exist_ok=True)
    minutes = days * 1440
    data = minute_data(meters, minutes)
    n = len(data["value"])
    result = Result("ingest", "SQLite (WAL, synchronous=NORMAL, indexed, rollups upserted)",
                    setup={"meters": meters, "days": days, "readings": n,
                           "interval": "1 minute", "live_batch": 1000,
                           "live_days": live_days})
    ours_ws, ids = _energize_store(WORK / "bench.energize", meters)
    frame = {"meter_id": ids[data["meter_index"]], "ts": data["ts"], "value": data["value"]}
    bulk_ours = _timed(lambda: _bulk_energize(ours_ws, frame))
    peer = SqliteStore(WORK / "bench.sqlite")
    rows = zip(data["meter_index"].tolist(), (data["ts"] // US).tolist(), data["value"].tolist())
    bulk_peer = _timed(lambda: peer.bulk(rows))
    result.figures.append(Figure("bulk load, rollups included", "readings/s", n / bulk_ours,
                                 n / bulk_peer, target=">= 10 M/s and >= 20x peer"))
    _queries(result, ours_ws, ids, peer, days)
    ours_ws.close()
    size_ours = (WORK / "bench.energize").stat().st_size
    size_peer = peer.close()
    result.figures.append(Figure("size on disk", "bytes/reading", size_ours / n, size_peer / n,
                                 higher_is_better=False, target="<= 3.5"))
    _live(result, meters, live_days)
    shutil.rmtree(WORK, ignore_errors=True)
    return result


def _energize_store(path, meters: int):
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    ws = Workspace.create(path)
    site = ws.add_site(Site("Bench", timezone="Europe/London"))
    ids = np.array([ws.add_meter(Meter(f"m{i:03d}", "electricity", "kWh", "interval",
                                       site_id=site.id, interval_s=60)).id
                    for i in range(meters)], np.int32)
    return ws, ids


def _bulk_energize(ws, frame) -> None:
    writer = ws.writer()
    writer.append(frame)
    writer.flush()  # nothing left pending: every rollup is in the file


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _queries(result, ws, ids, peer, days) -> None:
    q = ws.queries
    start = datetime(2025, 1, 1)
    month = (datetime(2025, 6, 1), datetime(2025, 7, 1))
    last = start + timedelta(days=days) - timedelta(hours=24)
    epoch = lambda d: int((d - datetime(1970, 1, 1)).total_seconds())  # noqa: E731
    meter = int(ids[len(ids) // 2])
    cases = [
        ("hourly series, one meter, one month", "< 10 ms and >= 10x peer",
         lambda: q.rollup("hour", [meter], *month),
         lambda: peer.hourly(len(ids) // 2, epoch(month[0]), epoch(month[1]))),
        ("daily totals, all meters, one year", "< 20 ms and >= 10x peer",
         lambda: q.rollup("day", ids.tolist(), start, start + timedelta(days=days)),
         lambda: peer.daily_all(epoch(start), epoch(start + timedelta(days=days)))),
        ("last 24 h of 1-minute data, one meter", "< 5 ms, no slower than peer",
         lambda: q.readings([meter], last),
         lambda: peer.raw_since(len(ids) // 2, epoch(last))),
    ]
    for name, target, ours, theirs in cases:
        t_ours, t_peer = median_time(ours, 30), median_time(theirs, 30)
        result.figures.append(Figure(name, "ms (median of 30)", t_ours * 1e3, t_peer * 1e3,
                                     higher_is_better=False, target=target))


def _live(result, meters: int, days: int) -> None:
    """Batches of 1,000 readings (10 minutes of 100 meters), each committed."""
    per_batch = max(1000 // meters, 1)
    minutes = days * 1440
    data = minute_data(meters, minutes, seed=2)
    values = data["value"].reshape(meters, minutes)
    ws, ids = _energize_store(WORK / "live.energize", meters)
    writer = ws.writer()
    peer = SqliteStore(WORK / "live.sqlite")
    ours, theirs = [], []
    segment = 100
    for seg_start in range(0, minutes, per_batch * segment):
        batches = [_batch(ids, values, m, per_batch)
                   for m in range(seg_start, min(seg_start + per_batch * segment, minutes),
                                  per_batch)]
        t = time.perf_counter()
        for b in batches:
            writer.append(b)
        ours.append(sum(len(b["value"]) for b in batches) / (time.perf_counter() - t))
        rows = [list(zip((b["meter_id"] - ids[0]).tolist(), (b["ts"] // US).tolist(),
                         b["value"].tolist())) for b in batches]
        t = time.perf_counter()
        for r in rows:
            peer.append(r)
        theirs.append(sum(len(r) for r in rows) / (time.perf_counter() - t))
    ws.close()
    peer.close()
    result.figures.append(Figure(
        "live path: batches of 1,000, each committed", "readings/s", statistics.median(ours),
        statistics.median(theirs), target=">= 400 k/s and >= 2x peer",
        note=f"median over {len(ours)} segments of {segment} batches"))


def _batch(ids, values, minute: int, count: int) -> dict:
    span = slice(minute, minute + count)
    meters = len(ids)
    width = values[:, span].shape[1]
    ts = YEAR_START + np.arange(minute, minute + width, dtype=np.int64) * 60 * US
    return {"meter_id": np.repeat(ids, width), "ts": np.tile(ts, meters),
            "value": values[:, span].ravel()}
