"""SunSpec discovery against a server laid out per the spec: marker, model chain, common model,
scale factors, not-implemented values."""

import math

import pytest

from energize_desktop.core.errors import EnergizeError
from energize_desktop.core.registers import RegisterKind, decode
from energize_desktop.live import sunspec
from energize_desktop.live.modbus import LinkSettings, ModbusLink, RegisterServer
from tests.helpers import free_port


def _text(s, n):
    raw = s.encode().ljust(2 * n, b"\0")
    return [int.from_bytes(raw[i:i + 2], "big") for i in range(0, 2 * n, 2)]


def _layout(base):
    """SunS, model 1 (66 regs), model 103 (50 regs, int + SF), model 213 (124 regs, float), end."""
    regs = {}

    def put(addr, words):
        for i, w in enumerate(words):
            regs[addr + i] = w & 0xFFFF

    put(base, sunspec.MARKER)
    a = base + 2
    common = [0] * 66
    common[0:16], common[16:32], common[48:64] = _text("Fronius", 16), _text("Symo 5", 16), \
        _text("SN123", 16)
    put(a, [1, 66] + common)
    a += 68
    inv = [0] * 50
    inv[12], inv[13] = 4321, 0xFFFF  # W = 4321 × 10^-1
    inv[14], inv[15] = 5001, 0xFFFE  # Hz = 50.01
    inv[22], inv[23], inv[24] = 0x0001, 0x86A0, 0  # WH = 100000
    inv[0], inv[4] = 0xFFFF, 0x8000  # current: scale factor not implemented
    inv[8], inv[11] = 0xFFFF, 0  # voltage: value not implemented (uint16 sentinel)
    put(a, [103, 50] + inv)
    a += 52
    meter = [0x7FC0, 0] * 62  # float NaN: not implemented
    meter[26:28] = [0x4496, 0x0000]  # Power 1200.0 W (f32 ABCD)
    put(a, [213, 124] + meter)
    a += 126
    put(a, [0xFFFF, 0])
    return regs


@pytest.mark.parametrize("base", [40000, 40001, 50000, 0])
def test_discovery_walks_the_chain(base):
    port = free_port()
    with RegisterServer({1: {RegisterKind.HOLDING: _layout(base)}}, port):
        link = ModbusLink(LinkSettings(port=port, timeout_s=0.3))
        device = sunspec.discover(link, 1)
        found = sunspec.points(link, 1, device)
        values = {}
        for model_id, p in found:
            words = link.read(p.kind, p.address, p.count, 1)
            values[(model_id, p.name)] = decode(p, words)
        link.close()
    assert device.base == base
    assert [m.id for m in device.models] == [1, 103, 213]
    assert (device.manufacturer, device.model, device.serial) == ("Fronius", "Symo 5", "SN123")
    assert values[(103, "AC power")] == pytest.approx(432.1)
    assert values[(103, "Frequency")] == pytest.approx(50.01)
    assert values[(103, "Energy")] == 100000
    assert (103, "AC current") not in values  # scale factor not implemented
    assert math.isnan(values[(103, "AC voltage L1")])  # value not implemented: missing
    assert values[(213, "Power")] == 1200.0
    assert math.isnan(values[(213, "Import energy")])


def test_no_marker_is_a_clear_error():
    port = free_port()
    with RegisterServer({1: {RegisterKind.HOLDING: {0: 1, 1: 2}}}, port):
        link = ModbusLink(LinkSettings(port=port, timeout_s=0.3))
        with pytest.raises(EnergizeError, match="no SunSpec marker"):
            sunspec.discover(link, 1)
        link.close()
