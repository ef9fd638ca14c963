"""Live acquisition end to end: the simulator's Modbus server, the engine's pollers and writer,
the headless logger and its clean shutdown on SIGTERM."""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from energize_desktop.cli import main
from energize_desktop.core.model import Site
from energize_desktop.live.acquisition import AcquisitionEngine
from energize_desktop.live.modbus_simulator import ModbusSimulator
from energize_desktop.live.sources_config import SourcesConfig
from tests.helpers import free_port

ROOT = Path(__file__).parents[2]


def _values(ws, name):
    m = ws.meter(name)
    rows = ws.cursor().execute("SELECT value FROM readings WHERE meter_id = ? ORDER BY ts",
                               [m.id]).fetchall()
    return np.array([r[0] for r in rows])


def test_engine_stores_every_delivered_poll(ws):
    ws.add_site(Site("Sim", "UTC"))
    enough = threading.Event()
    sim = ModbusSimulator(free_port()).start()
    try:
        engine = AcquisitionEngine(ws, sim.config(),
                                   on_commit=lambda s: s.batches >= 6 and enough.set())
        engine.start()
        assert enough.wait(30)
        engine.stop()
    finally:
        sim.stop()
    total = ws.cursor().execute("SELECT count(*) FROM readings").fetchall()[0][0]
    assert total == engine.stats.readings > 0  # everything delivered was committed
    assert ws.meter("Main SDM630 – Import energy").semantics == "cumulative"
    assert ws.meter("Roof inverter – AC power").unit == "W"
    energy = _values(ws, "Main SDM630 – Import energy")
    assert len(energy) >= 3 and (np.diff(energy) >= 0).all()
    volts = _values(ws, "Main SDM630 – Voltage L1")
    assert ((volts > 220) & (volts < 240)).all()
    status = engine.status_lines()
    assert any("Main SDM630: online" in line for line in status)


def test_connection_file_round_trips(tmp_path):
    sim = ModbusSimulator(free_port())
    path = tmp_path / "site.toml"
    path.write_text(sim.config().dump())
    again = SourcesConfig.load(path)
    assert again == sim.config()


def test_headless_logger_flushes_and_exits_0_on_sigterm(tmp_path):
    port = free_port()
    sim = ModbusSimulator(port).start()
    config = tmp_path / "site.toml"
    config.write_text(sim.config().dump())
    w = tmp_path / "logger.energize"
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "energize_desktop", "acquire", "-w", str(w), "-c", str(config),
             "--status-every", "0.5"], cwd=ROOT, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        lines = []
        for line in proc.stdout:  # wait for readings to be reported stored
            lines.append(line)
            if "stored" in line and not line.split("stored ")[1].startswith("0 "):
                break
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=30)
    finally:
        sim.stop()
    assert proc.returncode == 0, lines + [rest]
    reported = int(rest.strip().splitlines()[-1].split("stored ")[1].split()[0].replace(",", ""))
    assert main(["info", "-w", str(w), "--json"]) == 0
    from energize_desktop.storage import Workspace

    with Workspace.open(w, read_only=True) as again:
        stored = again.cursor().execute("SELECT count(*) FROM readings").fetchall()[0][0]
    assert stored == reported > 0
