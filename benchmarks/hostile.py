"""Hostile inputs and scale of the catalog (issue 19): every hostile file tried through the
import job in a child process each, counting clean errors, unchanged workspaces and tracebacks,
with the peak memory of the worst; and meters created from one file, 250 to 20,000 (creation
must be linear), beside a bare DuckDB insert of the same meter rows.

    python -m benchmarks --only hostile
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure, Result

CHILD = r"""
import json, resource, sys
from pathlib import Path
from energize_desktop.core.model import Site
from energize_desktop.imports.channels import ChannelHints
from energize_desktop.jobs.import_files import ImportJob
from energize_desktop.jobs.importer import ImportOptions
from energize_desktop.storage import Workspace
path, ws_path = Path(sys.argv[1]), Path(sys.argv[2])
with Workspace.create(ws_path) as ws:
    ws.add_site(Site("S", "UTC"))
    cur = ws.cursor()
    before = [cur.execute(f"SELECT count(*) FROM {t}").fetchall() for t in
              ("sites", "meters", "readings", "meta")]
    out = ImportJob(ws, [path], ImportOptions(site="S", tz="UTC",
                                              hints=ChannelHints(unit="kWh")))()
    after = [cur.execute(f"SELECT count(*) FROM {t}").fetchall() for t in
             ("sites", "meters", "readings", "meta")]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"error": bool(out.errors), "names_file": all(str(path) in e for e in
                  out.errors), "unchanged": before == after, "peak_mb": peak}))
"""


def hostile_figures() -> list[Figure]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.data.hostile import hostile_files

    files = hostile_files()
    clean = unchanged = tracebacks = 0
    worst = (0.0, "")
    with tempfile.TemporaryDirectory() as folder:
        for name, content, _ in files:
            path = Path(folder) / name
            path.write_bytes(content)
            done = subprocess.run([sys.executable, "-c", CHILD, str(path),
                                   str(Path(folder) / f"{name}.energize")],
                                  capture_output=True, text=True)
            try:
                r = json.loads(done.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                tracebacks += 1
                continue
            clean += r["error"] and r["names_file"]
            unchanged += r["unchanged"]
            worst = max(worst, (r["peak_mb"], name))
    n = len(files)
    return [Figure("hostile inputs tried", "files", n, None, True, "≥ 80"),
            Figure("clean errors naming the file", "files", clean, n, True, "all"),
            Figure("workspaces unchanged", "files", unchanged, n, True, "all"),
            Figure("tracebacks", "files", tracebacks, None, False, "0"),
            Figure("peak memory on the worst input", "MB", worst[0], None, False, "< 1024",
                   note=worst[1])]


def _meters_file(folder: Path, n: int) -> Path:
    path = folder / f"meters_{n}.csv"
    with open(path, "w") as out:
        out.write("timestamp,meter,kWh\n")
        for h in range(2):
            out.writelines(f"2025-01-01 {h:02d}:00,M{m:05d},1\n" for m in range(n))
    return path


def meter_figures() -> list[Figure]:
    import duckdb

    from energize_desktop.imports.channels import ChannelHints
    from energize_desktop.jobs.importer import ImportOptions, import_file
    from energize_desktop.storage import Workspace

    figures = []
    with tempfile.TemporaryDirectory() as folder:
        for n in (250, 1000, 2000, 20_000):
            path = _meters_file(Path(folder), n)
            started = time.perf_counter()
            with Workspace.create(Path(folder) / f"w{n}.energize") as ws:
                import_file(ws, path, ImportOptions(site="S", tz="UTC", hints=ChannelHints(
                    unit="kWh", semantics="interval")))
            ours = time.perf_counter() - started
            con = duckdb.connect(":memory:")
            started = time.perf_counter()
            con.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, name VARCHAR UNIQUE)")
            con.execute(f"INSERT INTO m SELECT i, 'M' || i FROM range({n}) t(i)")
            peer = time.perf_counter() - started
            figures.append(Figure(f"import creating {n:,} meters, whole file", "s", ours, peer,
                                  False, "< 60 s at 20,000" if n == 20_000 else "",
                                  note=f"{ours / n * 1000:.2f} ms per meter"))
    return figures


def run() -> Result:
    result = Result("hostile", "bare DuckDB insert of the meter rows (catalog scale)",
                    setup={"child process per input": True})
    result.figures += hostile_figures()
    result.figures += meter_figures()
    return result
