"""The window's figures, offscreen, beside a bare PySide6 + pyqtgraph peer in the same run.

- launch: process start → the demo workspace's window shown with its first chart drawn
  (`energize gui --demo --screenshot`), against a bare script that opens a window with an
  empty PlotWidget and grabs it (the floor any PySide6/pyqtgraph app pays).
- explorer: one year of 1-minute data (525,600 points) drawn after the query returned (setData
  + a forced paint), and a zoom repaint to one week — the Explorer chart (peak downsampling,
  clip to view) against a plain PlotWidget curve.
- live: 8 curves × one day of 1-second data (86,400 points each) in ring buffers, one sample
  per curve per update, redraw + paint per update → updates per second.
- wizard to first chart: File › New (the site form answered), then one year of 15-minute
  readings (35,040 rows of CSV) imported from the Import page, until its chart is drawn on the
  Explorer — against reading the same CSV with polars and drawing it on a bare PlotWidget.
- heartbeat: the longest gap of a 10 ms GUI timer while an import of N rows and a detection
  run go on in the background.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import Figure, Result, median_time

ROOT = Path(__file__).resolve().parents[1]
PEER_LAUNCH = """
import time, sys
t0 = float(sys.argv[1])
from PySide6.QtWidgets import QApplication
import pyqtgraph as pg
app = QApplication([])
w = pg.PlotWidget(); w.resize(1200, 760); w.show(); app.processEvents(); w.grab()
print(time.time() - t0)
"""


def _launch(cmd: list[str]) -> tuple[float, float]:
    """(process start → window usable, process start → exited after an ordered shutdown)"""
    t0 = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                              "ENERGIZE_LAUNCH_T0": repr(t0)})
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    usable = next(float(line.split()[2]) for line in out.stdout.splitlines()
                  if line.startswith("usable after"))
    return usable, time.time() - t0


def launch_figures(repeats: int) -> Figure:
    demo_dir = tempfile.mkdtemp(prefix="energize-bench-")
    env_cmd = [sys.executable, "-c", "import sys; from energize_desktop.cli import main; "
               "sys.exit(main(sys.argv[1:]))", "gui", "--demo", "--screenshot",
               str(Path(demo_dir) / "shot.png")]
    os.environ["ENERGIZE_DATA_DIR"] = demo_dir
    _launch(env_cmd)  # writes the demo workspace once
    runs = [_launch(env_cmd) for _ in range(repeats)]
    ours = statistics.median(u for u, _ in runs)
    exited = statistics.median(e for _, e in runs)
    peer = statistics.median(float(subprocess.run(
        [sys.executable, "-c", PEER_LAUNCH, str(time.time())], capture_output=True, text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}).stdout.strip() or "nan")
        for _ in range(repeats))
    return Figure("launch to a usable window on the demo workspace", "s", ours, peer, False,
                  "< 1.5 s", "peer: an empty PlotWidget window (the PySide6 + pyqtgraph floor); "
                  f"start to exit after an ordered shutdown {exited:.2f} s")


def explorer_figures(app) -> list[Figure]:
    import pyqtgraph as pg

    from energize_desktop.core.model import Meter
    from energize_desktop.core.rollup import Level
    from energize_desktop.runtime.workspace_service import Series
    from energize_desktop.ui.series_chart import SeriesChart

    n = 525_600
    x = 1.7e9 + np.arange(n) * 60.0
    y = 50 + 30 * np.sin(np.arange(n) / 700) + np.random.default_rng(1).normal(0, 3, n)
    meter = Meter("bench", "electricity", "kW", "instantaneous", id=1)
    series = Series(meter, Level.QUARTER, x, y, "kW", "bench", np.zeros(n, bool))
    chart = SeriesChart()
    chart.resize(1200, 700)
    chart.show()
    peer = pg.PlotWidget()
    peer.resize(1200, 700)
    peer.show()
    peer_curve = peer.plot([], [])
    app.processEvents()

    def ours_draw():
        chart.clear()
        chart.show_series(series)
        chart.plot.grab()

    def peer_draw():
        peer_curve.setData(x, y)
        peer.grab()

    def ours_zoom():
        chart.plot.setXRange(x[200_000], x[200_000 + 10_080], padding=0)
        chart.plot.grab()
        chart.plot.setXRange(x[0], x[-1], padding=0)
        chart.plot.grab()

    def peer_zoom():
        peer.setXRange(x[200_000], x[200_000 + 10_080], padding=0)
        peer.grab()
        peer.setXRange(x[0], x[-1], padding=0)
        peer.grab()

    figs = [Figure("explorer: 525,600 points drawn after the query", "ms",
                   1000 * median_time(ours_draw, 7, 1), 1000 * median_time(peer_draw, 7, 1),
                   False, "< 100 ms", "peer: a plain PlotWidget curve (no downsampling)"),
            Figure("explorer: zoom or pan repaint (mean of a zoom-in and a zoom-out)", "ms",
                   1000 * median_time(ours_zoom, 7, 1) / 2,
                   1000 * median_time(peer_zoom, 7, 1) / 2, False, "< 30 ms")]
    chart.close()
    peer.close()
    return figs


def live_figure(app, updates: int = 120) -> Figure:
    from energize_desktop.ui.live_chart import LiveChart

    names = [f"meter {i}" for i in range(8)]
    live = LiveChart(names, capacity=86_400, interval_ms=10_000)  # redraw driven below
    live.resize(1200, 700)
    live.show()
    t = 1.7e9 + np.arange(86_400, dtype=float)
    for i, name in enumerate(names):
        live.append(name, t, 10 * i + np.sin(t / 600))
    live.redraw()
    app.processEvents()
    start = time.perf_counter()
    for k in range(updates):
        for i, name in enumerate(names):
            live.append(name, t[-1] + k + 1, 10 * i + np.sin(k / 60))
        live.redraw()
        live.plot.grab()
    rate = updates / (time.perf_counter() - start)
    live.close()
    return Figure("live: 8 curves × 86,400 1-s points, redraw + paint", "updates/s", rate,
                  None, True, ">= 30 /s")


def heartbeat_figure(app, rows: int, warm: bool = True) -> Figure:
    from PySide6.QtCore import QTimer

    from energize_desktop.runtime.tasks import run_task
    from energize_desktop.runtime.workspace_service import WorkspaceService

    work = Path(tempfile.mkdtemp(prefix="energize-hb-"))
    csv_path = work / "big.csv"
    _write_csv(csv_path, rows)
    demo = work / "demo.energize"
    from energize_desktop.demo.build import build_demo

    build_demo(demo)
    service = WorkspaceService()
    service.open(demo)
    if warm:  # as the window does after launch: the libraries' one-time import is behind us
        done_warm = []
        service.warm_up().signals.finished.connect(done_warm.append)
        while not done_warm:
            app.processEvents()
            time.sleep(0.001)
    gaps, last = [], [time.perf_counter()]

    def beat():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer(interval=10)
    timer.timeout.connect(beat)
    timer.start()
    done = []
    target = work / "import.energize"
    run_task(_import, csv_path, target, on_done=done.append, on_error=done.append)
    service.detect(on_done=done.append, on_error=done.append)
    while len(done) < 2:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    service.close()
    state = "after the window's warm-up" if warm else "cold: libraries imported on first use"
    return Figure(f"GUI heartbeat: longest stall during a {rows:,}-row import + detection "
                  f"({state})", "ms", 1000 * max(gaps), None, False, "< 100 ms",
                  f"10 ms timer, {len(gaps):,} beats, median {1000 * statistics.median(gaps):.1f}"
                  " ms")


def _wait(app, done: list) -> None:
    while not done:
        app.processEvents()
        time.sleep(0.001)


def wizard_figure(app, repeats: int) -> Figure:
    import polars as pl
    import pyqtgraph as pg

    from energize_desktop.runtime.workspace_service import WorkspaceService
    from energize_desktop.ui.dialogs import RecordingDialogs
    from energize_desktop.ui.main_window import MainWindow

    work = Path(tempfile.mkdtemp(prefix="energize-wizard-"))
    csv_path = work / "year.csv"
    ts = np.datetime64("2025-01-01T00:00") + (15 * np.arange(35_040)).astype("timedelta64[m]")
    values = np.round(np.random.default_rng(3).uniform(5, 40, len(ts)), 2)
    csv_path.write_text("timestamp,kWh\n" + "".join(f"{t},{v}\n" for t, v in
                                                     zip(ts.astype(str), values)))
    ours, peer = [], []
    for k in range(repeats):
        site = {"name": f"Site {k}", "timezone": "UTC", "then": "import"}
        service = WorkspaceService()
        win = MainWindow(service, dialogs=RecordingDialogs([site, str(work / f"w{k}"),
                                                             str(csv_path)]))
        win.resize(1280, 720)
        win.show()
        drawn: list = []
        service.series_ready.connect(lambda *_a, d=drawn: d.append(1))
        start = time.perf_counter()
        win.new_workspace()
        win.importer.add_button.click()
        win.importer.tz.setText("UTC")
        win.importer.import_button.click()
        _wait(app, drawn)
        win.chart.grab()
        ours.append(time.perf_counter() - start)
        win.close()
        service.close()
        start = time.perf_counter()
        frame = pl.read_csv(csv_path, try_parse_dates=True)
        plot = pg.PlotWidget()
        plot.resize(1280, 720)
        plot.plot(frame["timestamp"].dt.epoch("s").to_numpy().astype(float),
                  frame["kWh"].to_numpy())
        plot.show()
        app.processEvents()
        plot.grab()
        peer.append(time.perf_counter() - start)
        plot.close()
    return Figure("wizard to first chart: File › New, import a 1-year 15-min CSV, chart drawn",
                  "s", statistics.median(ours), statistics.median(peer), False, "< 2 s",
                  "peer: polars read_csv + a bare PlotWidget (no store, no checks, no rollups); "
                  f"medians of {repeats}")


def _write_csv(path: Path, rows: int) -> None:
    ts = np.datetime64("2020-01-01T00:00") + np.arange(rows).astype("timedelta64[m]")
    values = np.round(np.random.default_rng(2).uniform(0, 5, rows), 3)
    with path.open("w") as f:
        f.write("timestamp,kWh\n")
        for chunk in range(0, rows, 1_000_000):
            part = slice(chunk, chunk + 1_000_000)
            f.write("\n".join(f"{t},{v}" for t, v in zip(ts[part].astype(str), values[part])))
            f.write("\n")


def _import(csv_path: Path, target: Path):
    from energize_desktop.cli import main

    return main(["import", str(csv_path), "-w", str(target)])


def run(quick: bool = False) -> Result:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from energize_desktop.app import create_app

    app = create_app([])
    result = Result("ui", "bare PySide6 + pyqtgraph", setup={"platform": "offscreen"})
    result.figures.append(launch_figures(3 if quick else 7))
    result.figures += explorer_figures(app)
    result.figures.append(live_figure(app, 30 if quick else 120))
    result.figures.append(wizard_figure(app, 3 if quick else 7))
    rows = 200_000 if quick else 10_000_000
    result.figures.append(heartbeat_figure(app, rows, warm=False))
    result.figures.append(heartbeat_figure(app, rows, warm=True))
    return result
