"""SunSpec discovery: find the 'SunS' marker, walk the model chain, map models to points.

Bases 40000, 50000 and 0 are probed, each also ±1 for devices that count from 1. Models 1
(common), 101–103 and 111–113 (inverters, integer + scale factor or float) and 201–204 and
211–214 (meters) become points; not-implemented values are missing, never numbers. Offsets are
those of the sunspec/models JSON definitions (register offsets after the 2-register header).
Integer models' scale factors are read once at discovery (devices keep them constant).
"""

from __future__ import annotations

from dataclasses import dataclass

from energize_desktop.core.errors import EnergizeError
from energize_desktop.core.registers import Point, RegisterKind
from energize_desktop.live.modbus import ModbusLink, ModbusReadError

MARKER = [0x5375, 0x6E53]  # "SunS"
BASES = (40000, 50000, 0)
END = 0xFFFF
H = RegisterKind.HOLDING

# name, offset, type, unit, semantics, scale-factor offset (integer models)
_INVERTER_INT = [("AC current", 0, "u16", "A", "instantaneous", 4),
                 ("AC voltage L1", 8, "u16", "V", "instantaneous", 11),
                 ("AC power", 12, "i16", "W", "instantaneous", 13),
                 ("Frequency", 14, "u16", "Hz", "instantaneous", 15),
                 ("Energy", 22, "u32", "Wh", "cumulative", 24),
                 ("DC power", 29, "i16", "W", "instantaneous", 30)]
_INVERTER_FLOAT = [("AC current", 0, "f32", "A", "instantaneous", None),
                   ("AC voltage L1", 14, "f32", "V", "instantaneous", None),
                   ("AC power", 20, "f32", "W", "instantaneous", None),
                   ("Frequency", 22, "f32", "Hz", "instantaneous", None),
                   ("Energy", 30, "f32", "Wh", "cumulative", None),
                   ("DC power", 36, "f32", "W", "instantaneous", None)]
_METER_INT = [("Current", 0, "i16", "A", "instantaneous", 4),
              ("Voltage L-N", 5, "i16", "V", "instantaneous", 13),
              ("Frequency", 14, "i16", "Hz", "instantaneous", 15),
              ("Power", 16, "i16", "W", "instantaneous", 20),
              ("Export energy", 36, "u32", "Wh", "cumulative", 52),
              ("Import energy", 44, "u32", "Wh", "cumulative", 52)]
_METER_FLOAT = [("Current", 0, "f32", "A", "instantaneous", None),
                ("Voltage L-N", 8, "f32", "V", "instantaneous", None),
                ("Frequency", 24, "f32", "Hz", "instantaneous", None),
                ("Power", 26, "f32", "W", "instantaneous", None),
                ("Export energy", 58, "f32", "Wh", "cumulative", None),
                ("Import energy", 66, "f32", "Wh", "cumulative", None)]
LAYOUTS = {**{m: _INVERTER_INT for m in (101, 102, 103)},
           **{m: _INVERTER_FLOAT for m in (111, 112, 113)},
           **{m: _METER_INT for m in (201, 202, 203, 204)},
           **{m: _METER_FLOAT for m in (211, 212, 213, 214)}}
KIND = {**{m: "pv" for m in (101, 102, 103, 111, 112, 113)},
        **{m: "electricity" for m in (201, 202, 203, 204, 211, 212, 213, 214)}}


@dataclass(frozen=True)
class Model:
    id: int
    address: int  # first register after the model's header
    length: int


@dataclass(frozen=True)
class SunSpecDevice:
    base: int
    models: tuple[Model, ...]
    manufacturer: str = ""
    model: str = ""
    serial: str = ""

    def describe(self) -> str:
        ids = ", ".join(str(m.id) for m in self.models)
        return f"{self.manufacturer} {self.model} (serial {self.serial}) at {self.base}: {ids}"


def discover(link: ModbusLink, unit_id: int, bases=BASES) -> SunSpecDevice:
    base = _find_marker(link, unit_id, bases)
    models, address = [], base + 2
    for _ in range(100):  # a chain longer than this is a broken device
        model_id, length = link.read(H, address, 2, unit_id)
        if model_id == END:
            break
        models.append(Model(model_id, address + 2, length))
        address += 2 + length
    common = next((m for m in models if m.id == 1), None)
    names = _common(link, unit_id, common) if common else ("", "", "")
    return SunSpecDevice(base, tuple(models), *names)


def _find_marker(link: ModbusLink, unit_id: int, bases) -> int:
    for base in bases:
        for candidate in (base, base - 1, base + 1):
            if candidate < 0:
                continue
            try:
                if link.read(H, candidate, 2, unit_id) == MARKER:
                    return candidate
            except ModbusReadError:
                continue
    raise EnergizeError(f"unit {unit_id}: no SunSpec marker 'SunS' at "
                        f"{', '.join(str(b) for b in bases)} (±1)")


def _common(link: ModbusLink, unit_id: int, common: Model) -> tuple[str, str, str]:
    words = link.read(H, common.address, min(common.length, 65), unit_id)

    def text(offset, count):
        raw = b"".join(w.to_bytes(2, "big") for w in words[offset:offset + count])
        return raw.split(b"\0", 1)[0].decode("ascii", "replace").strip()

    return text(0, 16), text(16, 16), text(48, 16)


def points(link: ModbusLink, unit_id: int, device: SunSpecDevice) -> list[tuple[int, Point]]:
    """(model id, point) for every supported model; integer models' scale factors are read
    now, and a point whose scale factor is not implemented is left out."""
    out = []
    for model in device.models:
        layout = LAYOUTS.get(model.id)
        if not layout:
            continue
        words = link.read(H, model.address, min(model.length, 125), unit_id)
        for name, offset, dtype, unit, semantics, sf_offset in layout:
            scale = 1.0
            if sf_offset is not None:
                sf = words[sf_offset] if sf_offset < len(words) else 0x8000
                if sf == 0x8000:
                    continue
                scale = 10.0 ** (sf - 0x10000 if sf >= 0x8000 else sf)
            out.append((model.id, Point(f"{name}", model.address + offset, kind=H,
                                        dtype=dtype, unit=unit, semantics=semantics,
                                        scale=scale, sentinels=True)))
    return out
