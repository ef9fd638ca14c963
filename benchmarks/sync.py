"""Push to a local PostgreSQL (started for the run, as the tests do): Energize's push of N
readings (binary COPY into the organisation's partition, watermarks), the median of three
pushes into an emptied table, beside, in the same run: row-by-row `executemany` (the usual way,
timed on a 100 k sample), and two ceilings — the same rows COPYed in one piece into an
unindexed table, and into a table with the same primary key. Then an incremental sync with
nothing new."""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import Figure, Result

ROOT = Path(__file__).resolve().parents[1]


def _workspace(path: Path, readings: int, meters: int = 10):
    from energize_desktop.core.model import Meter, Site
    from energize_desktop.storage import Workspace

    ws = Workspace.create(path)
    site = ws.add_site(Site("Bench", "UTC"))
    per = readings // meters
    start = np.datetime64("2020-01-01T00:00", "us").astype(np.int64)
    for i in range(meters):
        m = ws.add_meter(Meter(f"m{i}", "electricity", "kWh", "interval", site_id=site.id,
                               interval_s=60))
        ts = start + np.arange(per, dtype=np.int64) * 60_000_000
        ws.writer().append({"meter_id": np.full(per, m.id, np.int32), "ts": ts,
                            "value": np.random.default_rng(i).uniform(0, 2, per)})
    return ws


def run(readings: int = 10_000_000) -> Result:
    sys.path.insert(0, str(ROOT))
    import psycopg

    from energize_desktop.sync import server
    from energize_desktop.sync.push import push
    from tests.peers import Postgres

    pg = Postgres().init().start()
    try:
        with psycopg.connect(pg.dsn(), autocommit=True) as c:
            server.init(c)
            server.add_laptop(c, "bench", "bench", "bench-pw")
        work = Path(tempfile.mkdtemp(prefix="energize-sync-"))
        ws = _workspace(work / "bench.energize", readings)
        conn = server.connect(pg.dsn("bench", "bench-pw"))
        rates = []
        for _ in range(3):
            with psycopg.connect(pg.dsn(), autocommit=True) as c:
                c.execute("TRUNCATE energize.readings")
                c.execute("CHECKPOINT")
            t0 = time.perf_counter()
            r = push(ws, conn, full=True)
            rates.append(r.readings_new / (time.perf_counter() - t0))
        ours = statistics.median(rates)
        noop = statistics.median(_timed(lambda: push(ws, conn)) for _ in range(5))
        conn.close()
        copy_rate, keyed_rate, row_rate = _peers(pg, ws)
        ws.close()
    finally:
        pg.remove()
    result = Result("sync", "bare COPY (ceiling) and row-by-row executemany",
                    setup={"readings": readings, "server": "PostgreSQL 15, local, fsync off"})
    result.figures += [
        Figure(f"push {readings:,} readings (COPY + watermarks)", "readings/s", ours, row_rate,
               True, ">= 500 k/s", f"executemany row by row {row_rate:,.0f}/s; one bare COPY "
               f"into a table with the same key {keyed_rate:,.0f}/s, into an unindexed table "
               f"{copy_rate:,.0f}/s; pushes {', '.join(f'{x:,.0f}' for x in rates)}"),
        Figure("incremental sync with nothing new", "ms", 1000 * noop, None, False, "< 200 ms")]
    return result


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _peers(pg, ws) -> tuple[float, float, float]:
    import polars as pl
    import psycopg

    frame = ws.queries.readings([m.id for m in ws.meters()])
    data = frame.select(["meter_id", frame["ts"].cast(pl.Int64).alias("ts"), "value"])
    with psycopg.connect(pg.dsn(), autocommit=True) as c:
        c.execute("CREATE TABLE bare (meter_id int, ts bigint, value double precision)")
        buffer = io.BytesIO()
        data.write_csv(buffer, include_header=False)
        t0 = time.perf_counter()
        with c.cursor().copy("COPY bare FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        copy_rate = data.height / (time.perf_counter() - t0)
        c.execute("CREATE TABLE keyed (meter_id int, ts bigint, value double precision, "
                  "PRIMARY KEY (meter_id, ts))")
        c.execute("CHECKPOINT")
        t0 = time.perf_counter()
        with c.cursor().copy("COPY keyed FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        keyed_rate = data.height / (time.perf_counter() - t0)
        sample = data.head(100_000).rows()
        c.execute("CREATE TABLE rows (meter_id int, ts bigint, value double precision, "
                  "PRIMARY KEY (meter_id, ts))")
        t0 = time.perf_counter()
        with c.cursor() as cur, c.transaction():
            cur.executemany("INSERT INTO rows VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                            sample)
        row_rate = len(sample) / (time.perf_counter() - t0)
    return copy_rate, keyed_rate, row_rate


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000).table())
