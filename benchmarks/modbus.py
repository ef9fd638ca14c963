"""Modbus polling benchmark: 200 devices × 20 registers polled every second for 60 s over
Modbus TCP on loopback (20 server endpoints × 10 unit ids, served from another process), with
the CPU time of the polling process and the polls missed. Side by side: a bare pymodbus loop
that reads the same registers and stores nothing (the floor of what polling can cost).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import Figure, Result

ENDPOINTS, UNITS, REGISTERS = 20, 10, 20
ROOT = Path(__file__).parents[1]


def serve(first_port: int, seconds: float) -> None:
    from energize_desktop.live.modbus import RegisterServer
    from energize_desktop.core.registers import RegisterKind

    regs = {RegisterKind.HOLDING: {a: 100 + a for a in range(REGISTERS)}}
    servers = [RegisterServer({u: regs for u in range(1, UNITS + 1)}, first_port + i).start()
               for i in range(ENDPOINTS)]
    print("ready", flush=True)
    time.sleep(seconds)
    for s in servers:
        s.stop()


def _template():
    from energize_desktop.live.templates import DeviceTemplate
    from energize_desktop.core.model import MeterKind
    from energize_desktop.core.registers import Point

    points = tuple(Point(f"r{a}", a, kind="holding", dtype="u16", unit="W")
                   for a in range(REGISTERS))
    return DeviceTemplate("bench", "bench", "", MeterKind.ELECTRICITY, 1, 0, points, "", True)


def ours(first_port: int, seconds: float) -> dict:
    import tempfile
    import threading

    from energize_desktop.live.modbus import LinkSettings
    from energize_desktop.live.sources_config import (
        BusSettings,
        DeviceSettings,
        SourcesConfig,
    )
    from energize_desktop.core.model import Site
    from energize_desktop.live.acquisition import AcquisitionEngine
    from energize_desktop.storage import Workspace

    buses = [BusSettings(f"gw{i}", LinkSettings(port=first_port + i, timeout_s=1.0),
                         tuple(DeviceSettings(f"d{i}-{u}", u, "bench", 1.0)
                               for u in range(1, UNITS + 1))) for i in range(ENDPOINTS)]
    path = Path(tempfile.mkdtemp()) / "bench.energize"
    latencies: list[float] = []

    class Timed(AcquisitionEngine):
        """Notes, per poll, the time from the poll's start to the end of its commit."""

        def _commit(self, writer, batches):
            super()._commit(writer, batches)
            now = time.time() * 1e6
            latencies.extend((now - b.ts_us) / 1e3 for b in batches)

    with Workspace.create(path) as ws:
        ws.add_site(Site("Bench", "UTC"))
        engine = Timed(ws, SourcesConfig(buses), templates={"bench": _template()})
        engine.start()
        cpu0, t0 = time.process_time(), time.monotonic()
        threading.Event().wait(seconds)
        cpu, wall = time.process_time() - cpu0, time.monotonic() - t0
        engine.stop()
        polls = sum(s.polls for p in engine.pollers for s in p.status().values())
        missed = sum(p.missed_slots for p in engine.pollers)
        failures = sum(s.failures for p in engine.pollers for s in p.status().values())
        stored = engine.stats.readings
    latencies.sort()
    return {"cpu_share": cpu / wall, "polls": polls, "missed": missed, "failures": failures,
            "stored": stored, "seconds": wall,
            "p50_ms": latencies[len(latencies) // 2] if latencies else None,
            "p99_ms": latencies[int(0.99 * (len(latencies) - 1))] if latencies else None}


def peer(first_port: int, seconds: float) -> dict:
    import threading

    from pymodbus.client import ModbusTcpClient

    stop = threading.Event()
    counts = [0] * ENDPOINTS

    def bus(i):
        client = ModbusTcpClient("127.0.0.1", port=first_port + i, timeout=1.0)
        client.connect()
        due = time.monotonic()
        while not stop.is_set():
            for u in range(1, UNITS + 1):
                client.read_holding_registers(0, count=REGISTERS, device_id=u)
                counts[i] += 1
            due += 1.0
            stop.wait(max(0.0, due - time.monotonic()))
        client.close()

    threads = [threading.Thread(target=bus, args=(i,)) for i in range(ENDPOINTS)]
    cpu0, t0 = time.process_time(), time.monotonic()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join()
    return {"cpu_share": (time.process_time() - cpu0) / (time.monotonic() - t0),
            "polls": sum(counts)}


def _child(fn: str, *args) -> dict:
    code = f"import json; from benchmarks.modbus import {fn}; print(json.dumps({fn}(*{args!r})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(seconds: float = 60.0, first_port: int = 47100) -> Result:
    server = subprocess.Popen([sys.executable, "-c",
                               f"from benchmarks.modbus import serve; serve({first_port}, "
                               f"{2 * seconds + 60})"], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    assert server.stdout.readline().strip() == "ready"
    try:
        a = _child("ours", first_port, seconds)
        b = _child("peer", first_port, seconds)
    finally:
        server.kill()
    devices = ENDPOINTS * UNITS
    result = Result("modbus", "bare pymodbus loop, same reads, nothing decoded or stored",
                    setup={"devices": devices, "registers_each": REGISTERS, "interval_s": 1,
                           "seconds": seconds, "endpoints": ENDPOINTS})
    result.figures.append(Figure("CPU of the polling process", "% of one core",
                                 100 * a["cpu_share"], 100 * b["cpu_share"],
                                 higher_is_better=False, target="< 25 %"))
    result.figures.append(Figure("polls completed", "polls", a["polls"], b["polls"],
                                 target=f"{devices} × {seconds:.0f} s"))
    result.figures.append(Figure("poll to commit, p50", "ms", a["p50_ms"], None,
                                 higher_is_better=False))
    result.figures.append(Figure("poll to commit, p99", "ms", a["p99_ms"], None,
                                 higher_is_better=False, target="< 1,000 ms"))
    result.figures.append(Figure("polls missed", "slots", a["missed"], None,
                                 higher_is_better=False, target="0",
                                 note=f"failures {a['failures']}, stored {a['stored']:,}"))
    return result
