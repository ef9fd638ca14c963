"""Import benchmark: a 10-year, 15-minute, 50-meter long CSV (17.5 M rows) end to end into a
workspace, side by side with the obvious peer path (pandas read_csv + to_sql into SQLite), and
sniffing time on a small and on the large file.

Each import runs in a child process so that its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.common import WORK, Figure, Result, median_time

STEP_S = 900


def make_csv(path: Path, meters: int, years: int, seed: int = 3) -> int:
    """Long CSV in Europe/London wall-clock time (the autumn hour twice, in order), time-major
    like a utility export; values are interval kWh with three decimals."""
    start = np.datetime64("2015-01-01T00:00", "s").astype(np.int64)
    n = years * 365 * 86400 // STEP_S
    utc = pl.Series("t", (start + np.arange(n, dtype=np.int64) * STEP_S) * 1_000_000)
    local = (utc.cast(pl.Datetime("us", "UTC")).dt.convert_time_zone("Europe/London")
             .dt.strftime("%Y-%m-%d %H:%M:%S"))
    rng = np.random.default_rng(seed)
    hour = (np.arange(n) * STEP_S // 3600) % 24
    shape = 1 + 0.8 * ((hour >= 8) & (hour < 18))
    names = [f"meter_{m:02d}" for m in range(meters)]
    with open(path, "w") as f:
        f.write("timestamp,meter,value\n")
    chunk = 50_000
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        k = hi - lo
        values = np.round(np.abs(shape[lo:hi, None] * rng.uniform(0.5, 5, meters)
                                 + rng.normal(0, 0.05, (k, meters))), 3)
        frame = pl.DataFrame({"timestamp": np.repeat(local[lo:hi].to_numpy(), meters),
                              "meter": np.tile(names, k), "value": values.ravel()})
        with open(path, "a") as f:
            frame.write_csv(f, include_header=False)
    return n * meters


def child_energize(csv_path: str, ws_path: str) -> dict:
    from energize_desktop.imports.channels import ChannelHints
    from energize_desktop.jobs.importer import ImportOptions, import_file
    from energize_desktop.storage import Workspace

    Path(ws_path).unlink(missing_ok=True)
    t = time.perf_counter()
    with Workspace.create(ws_path) as ws:
        report = import_file(ws, csv_path, ImportOptions(
            site="Bench", tz="Europe/London", hints=ChannelHints(unit="kWh")))
    return {"seconds": time.perf_counter() - t, "rows": report.stored}


def child_pandas(csv_path: str, db_path: str) -> dict:
    import sqlite3

    import pandas as pd

    Path(db_path).unlink(missing_ok=True)
    t = time.perf_counter()
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    rows = 0
    for chunk in pd.read_csv(csv_path, chunksize=1_000_000, parse_dates=["timestamp"]):
        chunk.to_sql("readings", con, if_exists="append", index=False)
        rows += len(chunk)
    con.execute("CREATE INDEX readings_meter_ts ON readings (meter, timestamp)")
    con.commit()
    con.close()
    return {"seconds": time.perf_counter() - t, "rows": rows}


def _in_child(name: str, *args) -> dict:
    code = (f"import json; from benchmarks.imports import {name} as f; "
            "from energize_desktop.imports.memory import peak_mb; "
            f"r = f(*{list(args)!r}); r['peak_mb'] = peak_mb(); print(json.dumps(r))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).parents[1], check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(meters: int = 50, years: int = 10, repeats: int = 3, peer_repeats: int = 1) -> Result:
    WORK.mkdir(parents=True, exist_ok=True)
    big = WORK / f"long_{meters}x{years}y.csv"
    rows = make_csv(big, meters, years) if not big.exists() else None
    rows = rows or sum(1 for _ in open(big)) - 1
    result = Result("import", "pandas read_csv (chunks of 1 M) + DataFrame.to_sql into SQLite",
                    setup={"meters": meters, "years": years, "rows": rows,
                           "file_mb": round(big.stat().st_size / 1e6), "interval": "15 min",
                           "zone": "Europe/London (naive local stamps)"})
    ours = [_in_child("child_energize", str(big), str(WORK / "imp.energize"))
            for _ in range(repeats)]
    peer = [_in_child("child_pandas", str(big), str(WORK / "imp.sqlite"))
            for _ in range(peer_repeats)]
    ours_s = statistics.median(r["seconds"] for r in ours)
    peer_s = statistics.median(r["seconds"] for r in peer)
    result.figures.append(Figure("long CSV end to end into the store", "rows/s", rows / ours_s,
                                 rows / peer_s, target=">= 2 M rows/s and >= 10x peer",
                                 note=f"median of {repeats} (peer {peer_repeats})"))
    result.figures.append(Figure("peak memory of the import process", "MB",
                                 max(r["peak_mb"] for r in ours),
                                 max(r["peak_mb"] for r in peer), higher_is_better=False,
                                 target="< 1024 MB"))
    _sniffing(result, big)
    return result


def _sniffing(result: Result, big: Path) -> None:
    from energize_desktop.imports.sniff import sniff

    small = WORK / "small.csv"
    with open(big) as src, open(small, "w") as dst:
        for _ in range(1001):
            dst.write(src.readline())
    for label, path in (("small (1,000 rows)", small), (f"large ({big.stat().st_size // 10**6:,} MB)", big)):
        ms = median_time(lambda p=path: sniff(p), repeats=15) * 1e3
        result.figures.append(Figure(f"sniff format, {label}", "ms", ms, None,
                                     higher_is_better=False, target="< 200 ms"))


if __name__ == "__main__":
    os.environ.setdefault("POLARS_MAX_THREADS", str(os.cpu_count()))
    r = run(*(int(a) for a in sys.argv[1:]))
    print(r.table())
