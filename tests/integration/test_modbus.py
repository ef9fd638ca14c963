"""Modbus against a real pymodbus TCP server on 127.0.0.1: every template's map decodes to the
values served, failing devices are gaps with a visible status, and a dead device never holds
up another bus."""

import queue

import pytest

from energize_desktop.core.registers import RegisterKind, encode
from energize_desktop.live.modbus import LinkSettings, ModbusLink, RegisterServer
from energize_desktop.live.modbus_poll import BusPoller, DeviceConfig, scan
from energize_desktop.live.templates import load_all
from tests.helpers import SilentServer, free_port

TEMPLATES = load_all()


def _value_for(point, i):
    """A distinct, representable value per point (integers for integer types)."""
    raw = 1000 + 37 * i + (0.5 if point.dtype.value.startswith("f") else 0)
    if point.dtype.value == "u16":
        raw = 200 + i
    return raw * point.scale + point.offset


def _register_map(points):
    regs = {k: {} for k in RegisterKind}
    expected = {}
    for i, p in enumerate(points):
        value = _value_for(p, i)
        for j, word in enumerate(encode(p, value)):
            regs[p.kind][p.address + j] = word
        expected[p.name] = value
    return regs, expected


@pytest.fixture
def collected():
    return queue.Queue()


def _poller(port, devices, sink, timeout=0.3):
    return BusPoller(LinkSettings(port=port, timeout_s=timeout), devices, sink)


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_every_template_decodes_the_served_values(template_id, collected):
    template = TEMPLATES[template_id]
    regs, expected = _register_map(template.points)
    port = free_port()
    with RegisterServer({7: regs}, port):
        poller = _poller(port, [DeviceConfig(template.name, 7, template.points)], collected.put)
        batch = poller.poll(poller._devices[0])
        poller.stop()
    got = dict(batch.values)
    assert set(got) == set(expected)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-6), name
    # contiguous registers share requests
    assert len(poller._devices[0].requests) < len(template.points) or len(template.points) <= 2


def test_sentinels_are_missing_not_numbers(collected):
    from energize_desktop.core.registers import Point

    points = (Point("W", 0, dtype="i16", sentinels=True), Point("Hz", 1, dtype="u16",
                                                               sentinels=True, scale=0.01))
    port = free_port()
    with RegisterServer({1: {RegisterKind.HOLDING: {0: 0x8000, 1: 5000}}}, port):
        poller = _poller(port, [DeviceConfig("inv", 1, points)], collected.put)
        batch = poller.poll(poller._devices[0])
        poller.stop()
    assert dict(batch.values) == {"Hz": 50.0}


def test_exception_codes_and_a_vanishing_device_are_gaps_with_status(collected):
    template = TEMPLATES["eastron-sdm120"]
    regs, _ = _register_map(template.points)
    port = free_port()
    server = RegisterServer({1: regs}, port).start()
    bad = DeviceConfig("wrong map", 1, TEMPLATES["schneider-iem3000"].points)
    good = DeviceConfig("sdm120", 1, template.points, retries=0)
    poller = _poller(port, [good, bad], collected.put)
    sdm, wrong = poller._devices
    assert poller.poll(wrong) is None
    assert poller.status()["wrong map"].state == "retrying"
    assert "exception code 2" in poller.status()["wrong map"].last_error
    assert poller.poll(sdm) is not None
    server.stop()  # the device disappears
    for _ in range(3):
        assert poller.poll(sdm) is None
    status = poller.status()["sdm120"]
    assert status.state == "offline" and status.consecutive == 3
    server = RegisterServer({1: regs}, port).start()  # and comes back
    assert poller.poll(sdm) is not None
    assert poller.status()["sdm120"].state == "online"
    poller.stop()
    server.stop()
    batches = []
    while not collected.empty():
        batches.append(collected.get())
    assert len(batches) == 2  # the failed polls stored nothing: gaps


def test_a_silent_device_never_blocks_another_bus(collected):
    template = TEMPLATES["eastron-sdm72d"]
    regs, _ = _register_map(template.points)
    silent = SilentServer()
    port = free_port()
    dead_batches = queue.Queue()
    with RegisterServer({1: regs}, port):
        alive = _poller(port, [DeviceConfig("live", 1, template.points, interval_s=0.05)],
                        collected.put)
        dead = BusPoller(LinkSettings(port=silent.port, timeout_s=2.0),
                         [DeviceConfig("dead", 1, template.points, interval_s=0.05)],
                         dead_batches.put)
        dead.start()
        alive.start()
        # ten polls of the live bus arrive while the dead bus sits in its first 2 s timeout
        got = [collected.get(timeout=1.5) for _ in range(10)]
        assert dead.status()["dead"].polls == 0
        alive.stop()
        dead.stop()
    silent.close()
    assert len(got) == 10 and all(b.device == "live" for b in got)
    assert dead_batches.empty()


def test_a_device_timeout_overrides_the_bus_timeout(collected):
    """A silent device on a bus with a 30 s timeout gives up after its own 0.2 s."""
    import threading

    template = TEMPLATES["eastron-sdm120"]
    silent = SilentServer()
    poller = _poller(silent.port, [DeviceConfig("slow", 5, template.points, retries=0,
                                                timeout_s=0.2)], collected.put, timeout=30.0)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (poller.poll(poller._devices[0]), done.set()),
                              daemon=True)
    worker.start()
    assert done.wait(10), "the device timeout was not applied"
    assert poller.status()["slow"].state == "retrying"
    assert "no answer" in poller.status()["slow"].last_error
    poller.stop()
    silent.close()


def test_bus_scan_lists_the_units_that_answer():
    port = free_port()
    regs = {RegisterKind.HOLDING: {0: 1}}
    with RegisterServer({3: regs, 9: regs}, port):
        link = ModbusLink(LinkSettings(port=port, timeout_s=0.3))
        assert scan(link, range(1, 12)) == [3, 9]
        link.close()


def test_rtu_framing_over_tcp():
    template = TEMPLATES["carlo-gavazzi-em24"]
    regs, expected = _register_map(template.points)
    port = free_port()
    with RegisterServer({5: regs}, port, rtu_over_tcp=True):
        link = ModbusLink(LinkSettings(transport="rtu-over-tcp", port=port, timeout_s=0.5))
        poller = BusPoller(link.settings, [DeviceConfig("em24", 5, template.points)],
                           lambda b: None)
        batch = poller.poll(poller._devices[0])
        poller.stop()
        link.close()
    assert dict(batch.values) == pytest.approx(expected)


def test_rtu_over_a_pseudo_terminal_pair():
    from tests.helpers import NullModem

    template = TEMPLATES["eastron-sdm120"]
    regs, expected = _register_map(template.points)
    cable = NullModem()
    server = RegisterServer({2: regs}, 0, serial_port=cable.paths[1], baudrate=9600).start()
    try:
        settings = LinkSettings(transport="rtu", serial_port=cable.paths[0], baudrate=9600,
                                timeout_s=1.0)
        poller = BusPoller(settings, [DeviceConfig("sdm120", 2, template.points)],
                           lambda b: None)
        batch = poller.poll(poller._devices[0])
        poller.stop()
    finally:
        server.stop()
        cable.close()
    assert batch is not None, poller.status()["sdm120"].last_error
    assert dict(batch.values) == pytest.approx(expected)
