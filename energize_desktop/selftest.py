"""`energize --selftest`: proof that an installed (frozen) app works on this machine. Each step
exercises a subsystem the way the app uses it, in a temporary folder, and the first failure is
named with its error: every module imports (a module PyInstaller left out shows here), a
keyring backend is looked for (none is not a failure: the app says so), a workspace takes
four weeks of simulated readings through the writer, detection and a baseline
run on them, a chart is drawn offscreen, a one-page PDF report is written (fonts, SVG charts),
and a Modbus server started on 127.0.0.1 is read through the app's own client.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

DAYS = 28
STEP_S = 900


def run(out=None) -> int:
    out = out or sys.stdout
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from energize_desktop import __version__

    print(f"Energize {__version__} self-test ({sys.platform}, "
          f"{'frozen' if getattr(sys, 'frozen', False) else 'from source'})", file=out)
    with tempfile.TemporaryDirectory(prefix="energize-selftest-") as folder:
        context = {"folder": Path(folder)}
        try:
            failed = _steps(context, out)
        finally:
            if "ws" in context:
                context["ws"].close()
    print("self-test FAILED" if failed else "self-test passed", file=out)
    return 1 if failed else 0


def _steps(context: dict, out) -> bool:
    """True when a step failed (named, with its error); the later steps are not run."""
    for name, step in STEPS:
        started = time.perf_counter()
        try:
            detail = step(context)
        except Exception as exc:
            print(f"FAILED  {name}: {type(exc).__name__}: {exc}", file=out)
            traceback.print_exc(limit=6, file=sys.stderr)
            return True
        print(f"ok      {name} ({time.perf_counter() - started:.2f} s){detail}", file=out)
    return False


def _imports(context) -> str:
    import importlib
    import pkgutil

    import energize_desktop

    names = sorted(m.name for m in pkgutil.walk_packages(energize_desktop.__path__,
                                                         "energize_desktop.")
                   if not m.name.endswith("__main__"))  # that one runs the app
    if len(names) < 50:
        raise RuntimeError(f"only {len(names)} modules found in the package")
    for name in names:
        importlib.import_module(name)
    return f": {len(names)} modules"


def _workspace(context) -> str:
    from energize_desktop.core.model import Meter, Site
    from energize_desktop.storage import Workspace

    ws = context["ws"] = Workspace.create(context["folder"] / "selftest.energize")
    site = ws.add_site(Site("Self-test", "Europe/London", floor_area_m2=1000))
    power = ws.add_meter(Meter("Main", "electricity", "kWh", "interval", site_id=site.id,
                               interval_s=STEP_S))
    temp = ws.add_meter(Meter("Outdoor", "temperature", "°C", "instantaneous", site_id=site.id,
                              interval_s=STEP_S))
    n = DAYS * 86400 // STEP_S
    ts = np.datetime64("2026-01-05T00:00", "us").astype(np.int64) + \
        np.arange(n, dtype=np.int64) * STEP_S * 1_000_000
    hour = (ts // 3_600_000_000) % 24
    outdoor = 6 + 4 * np.sin((hour - 9) / 24 * 2 * np.pi)
    load = 5 + 8 * ((hour >= 8) & (hour < 18)) + 0.4 * (15 - outdoor)
    load[n // 2:n // 2 + 8] *= 4  # one burst for detection to find
    noise = np.random.default_rng(7).normal(0, 0.2, n)
    writer = ws.writer()
    writer.append({"meter_id": np.full(n, power.id, np.int32), "ts": ts,
                   "value": (load + noise) * STEP_S / 3600})
    writer.append({"meter_id": np.full(n, temp.id, np.int32), "ts": ts, "value": outdoor})
    stored = ws.queries.readings([power.id, temp.id]).height
    if stored != 2 * n:
        raise RuntimeError(f"{stored} readings stored of {2 * n}")
    return f": {stored:,} readings"


def _detection(context) -> str:
    from energize_desktop.jobs import detection as detection_job

    ws = context["ws"]
    result = detection_job.run(ws, ws.meters())
    if not result.events:
        raise RuntimeError("the burst was not found")
    return f": {len(result.events)} event(s)"


def _baseline(context) -> str:
    from energize_desktop.jobs.mv import MvRequest
    from energize_desktop.jobs.mv import run as mv_run

    out = mv_run(context["ws"], MvRequest(meter="Main", temperature="Outdoor",
                                          train="2026-01-05..2026-02-02"))
    stats = out["model"].stats
    return f": CV(RMSE) {stats.cvrmse:.1f} %, NMBE {stats.nmbe:+.2f} %"


def _chart(context) -> str:
    from energize_desktop.ui.offscreen_chart import draw_chart

    png = context["folder"] / "chart.png"
    ws = context["ws"]
    frame = ws.queries.rollup("hour", [ws.meter("Main").id])
    size = draw_chart(frame["amount"].to_numpy(), png)
    return f": {size:,} bytes PNG"


def _report(context) -> str:
    from energize_desktop.reports.build import Template, build_report
    from energize_desktop.runtime.pdf import write_report

    report = build_report(context["ws"], None, "2026-01-05..2026-01-12",
                          Template(sections=("summary", "charts")))
    path = context["folder"] / "report.pdf"
    size = write_report(report, path)
    if path.read_bytes()[:5] != b"%PDF-":
        raise RuntimeError("the report is not a PDF")
    return f": {size:,} bytes"


def _modbus(context) -> str:
    import socket

    from energize_desktop.live.device_probe import probe
    from energize_desktop.live.modbus_simulator import SDM_UNIT, ModbusSimulator
    from energize_desktop.live.templates import load_all

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sim = ModbusSimulator(port).start()
    try:
        link = sim.config().modbus[0].link
        rows = probe(link, SDM_UNIT, load_all()["eastron-sdm630"])
    finally:
        sim.stop()
    energy = next(r for r in rows if r.point == "Import energy")
    if energy.error or not energy.value or energy.value < 12_345:
        raise RuntimeError(f"read {energy}")
    return f": {len(rows)} points, import energy {energy.value:,.1f} kWh"


def _keyring(context) -> str:
    """Not a failure when there is none (a headless machine): the app says so plainly. The
    step proves the keyring package and its backends load in this build."""
    from energize_desktop.preferences import keyring_status

    return ": " + keyring_status().split(":")[0].split(" (")[0].rstrip(".")


def _guide(context) -> str:
    """The user guide the Help menu shows is installed (the README's sections)."""
    from energize_desktop.ui.help_menu import PAGE_SECTIONS, guide_sections

    sections = guide_sections()
    missing = sorted(set(PAGE_SECTIONS.values()) - set(sections))
    if missing:
        raise RuntimeError(f"the user guide lacks {', '.join(missing)}")
    return f": {len(sections)} sections"


STEPS = [("import every module", _imports), ("keyring", _keyring), ("user guide", _guide),
         ("workspace", _workspace),
         ("detection", _detection), ("baseline", _baseline), ("chart", _chart),
         ("PDF report", _report), ("Modbus TCP", _modbus)]
