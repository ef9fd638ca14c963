"""A site to practise on: a Modbus TCP server with an Eastron SDM630 (unit 1) and a SunSpec
inverter (unit 2) whose values move like real ones — an office load with a daily shape,
counters that only climb, PV power following the sun — and the connection file to read them.
"""

from __future__ import annotations

import math
import threading
import time

from energize_desktop.core.registers import RegisterKind, encode
from energize_desktop.live import sunspec
from energize_desktop.live.modbus import LinkSettings, RegisterServer
from energize_desktop.live.sources_config import (
    BusSettings,
    DeviceSettings,
    SourcesConfig,
)
from energize_desktop.live.templates import load_all

SDM_UNIT, INVERTER_UNIT = 1, 2
SUNSPEC_BASE = 40000
STEP_S = 1.0


def _office_kw(hour: float) -> float:
    working = 1.0 if 7.5 <= hour < 18.5 else 0.0
    return 18.0 + 42.0 * working * (0.8 + 0.2 * math.sin(math.pi * (hour - 7.5) / 11))


def _pv_w(hour: float) -> float:
    return max(0.0, math.sin(math.pi * (hour - 6) / 12)) * 5000.0


class ModbusSimulator:
    def __init__(self, port: int, host: str = "127.0.0.1", wall=time.time):
        self.host, self.port, self._wall = host, port, wall
        self._sdm = {p.name: p for p in load_all()["eastron-sdm630"].points}
        self._import_kwh, self._pv_wh = 12_345.0, 4_000_000.0
        self._last = wall()
        self._stop = threading.Event()
        self.server = RegisterServer({SDM_UNIT: {RegisterKind.INPUT: self._sdm_registers()},
                                      INVERTER_UNIT: {RegisterKind.HOLDING: self._inverter()}},
                                     port, host)
        self._thread = threading.Thread(target=self._run, name="modbus-simulator", daemon=True)

    def start(self) -> "ModbusSimulator":
        self.server.start()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self.server.stop()

    def config(self) -> SourcesConfig:
        link = LinkSettings(transport="tcp", host=self.host, port=self.port, timeout_s=1.0)
        return SourcesConfig([BusSettings("Simulated site", link, (
            DeviceSettings("Main SDM630", SDM_UNIT, "eastron-sdm630", 1.0),
            DeviceSettings("Roof inverter", INVERTER_UNIT, "sunspec", 1.0)))])

    # -- values ---------------------------------------------------------------------------------
    def _hour(self) -> float:
        t = time.localtime(self._wall())
        return t.tm_hour + t.tm_min / 60 + t.tm_sec / 3600

    def _sdm_values(self) -> dict[str, float]:
        hour = self._hour()
        kw = _office_kw(hour) * (1 + 0.03 * math.sin(self._wall() / 7))
        volts = [230.0 + 2 * math.sin(self._wall() / 11 + k) for k in range(3)]
        out = {f"Voltage L{k + 1}": v for k, v in enumerate(volts)}
        for k in range(3):
            out[f"Power L{k + 1}"] = kw * 1000 / 3
            out[f"Current L{k + 1}"] = kw * 1000 / 3 / volts[k]
        out.update({"Total power": kw * 1000, "Frequency": 50 + 0.02 * math.sin(self._wall()),
                    "Import energy": self._import_kwh, "Export energy": 0.0,
                    "Total energy": self._import_kwh, "Total reactive energy": 0.0})
        return out

    def _sdm_registers(self) -> dict[int, int]:
        regs = {}
        for name, value in self._sdm_values().items():
            p = self._sdm[name]
            for i, w in enumerate(encode(p, value)):
                regs[p.address + i] = w
        return regs

    def _inverter(self) -> dict[int, int]:
        regs: dict[int, int] = {}

        def put(address, words):
            for i, w in enumerate(words):
                regs[address + i] = w & 0xFFFF

        put(SUNSPEC_BASE, sunspec.MARKER)
        common = [0] * 66
        for offset, text in ((0, "Energize"), (16, "SimInverter 5k"), (48, "SIM-0001")):
            raw = text.encode().ljust(32, b"\0")
            common[offset:offset + 16] = [int.from_bytes(raw[i:i + 2], "big")
                                          for i in range(0, 32, 2)]
        put(SUNSPEC_BASE + 2, [1, 66] + common)
        model = [0] * 50
        watts = _pv_w(self._hour())
        model[0], model[4] = int(watts / 230 * 100), 0xFFFE  # A × 10^-2
        model[8], model[11] = 2300, 0xFFFF  # V × 10^-1
        model[12], model[13] = int(watts), 0  # W
        model[14], model[15] = 5000, 0xFFFE  # Hz × 10^-2
        wh = int(self._pv_wh)
        model[22], model[23], model[24] = wh >> 16, wh & 0xFFFF, 0
        model[29], model[30] = int(watts * 1.03), 0
        put(SUNSPEC_BASE + 70, [103, 50] + model)
        put(SUNSPEC_BASE + 122, [0xFFFF, 0])
        return regs

    def _run(self) -> None:
        while not self._stop.wait(STEP_S):
            now = self._wall()
            dt, self._last = now - self._last, now
            self._import_kwh += _office_kw(self._hour()) * dt / 3600
            self._pv_wh += _pv_w(self._hour()) * dt / 3600
            for address, word in sorted(self._sdm_registers().items()):
                self.server.set(SDM_UNIT, RegisterKind.INPUT, address, [word])
            for address, word in sorted(self._inverter().items()):
                if address >= SUNSPEC_BASE + 72:
                    self.server.set(INVERTER_UNIT, RegisterKind.HOLDING, address, [word])
