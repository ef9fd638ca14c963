"""A Modbus poller's thread outlives an exception nobody foresaw: the device is marked failing
and polled again; the next good poll arrives."""

import threading

from energize_desktop.core.registers import DataType, Point, RegisterKind
from energize_desktop.live.modbus import LinkSettings
from energize_desktop.live.modbus_poll import BusPoller, DeviceConfig


class FlakyLink:
    """Raises something no read should (a decoder bug, a library fault) once, then answers."""

    def __init__(self, settings):
        self.calls = 0

    def read(self, kind, address, count, unit, timeout=None):
        self.calls += 1
        if self.calls == 1:
            raise ZeroDivisionError("injected: a library fault")
        return [0, 42]

    def close(self):
        pass


def test_the_poller_thread_survives_an_unexpected_exception():
    got = threading.Event()
    batches = []

    def sink(batch):
        batches.append(batch)
        got.set()

    point = Point("Power", 0, RegisterKind.HOLDING, DataType.U32, unit="W")
    device = DeviceConfig("meter", 1, (point,), interval_s=0.01)
    poller = BusPoller(LinkSettings(), [device], sink, link_factory=FlakyLink).start()
    try:
        assert got.wait(10)
    finally:
        poller.stop()
    assert poller.crashes == 1 and batches[0].values == (("Power", 42.0),)
    assert "unexpected" in poller.status()["meter"].last_error


def test_qos_2_is_refused_with_the_reason():
    import pytest

    from energize_desktop.core.errors import ValidationError
    from energize_desktop.live.mqtt import Subscription

    with pytest.raises(ValidationError, match="qos 2: use 1"):
        Subscription("a/b", qos=2)
