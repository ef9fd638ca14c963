"""Polling Modbus devices: one worker thread and one lock per physical bus.

Each device is polled on its own schedule; its reads are planned once (contiguous registers in
one request) and spaced by its inter-request delay. A device that fails is logged once at error
level, then quietly, and is retried with backoff so it cannot starve the bus; its status says
online, retrying or offline since when. A failed poll stores nothing: a gap, never a zero or a
repeated value. Each successful poll is handed to the sink as one immutable batch.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field

from energize_desktop.core.registers import Point, RegisterKind, plan
from energize_desktop.live.modbus import LinkSettings, ModbusLink, ModbusReadError

log = logging.getLogger("energize.modbus")
OFFLINE_AFTER = 3  # consecutive failed polls
MAX_BACKOFF_S = 60.0


@dataclass(frozen=True)
class DeviceConfig:
    name: str
    unit_id: int
    points: tuple[Point, ...]
    interval_s: float = 1.0
    retries: int = 1  # extra attempts of a failed request within one poll
    min_interval_ms: int = 0  # pause between two requests to this device
    timeout_s: float | None = None  # None: the bus timeout


@dataclass(frozen=True)
class PollBatch:
    """One poll of one device: when, and each point's value (missing points left out)."""

    device: str
    ts_us: int
    values: tuple[tuple[str, float], ...]


@dataclass
class DeviceStatus:
    state: str = "waiting"  # waiting, online, retrying, offline
    since: float | None = None  # wall-clock seconds of the last state change
    last_error: str = ""
    polls: int = 0
    failures: int = 0
    consecutive: int = 0

    def text(self) -> str:
        when = time.strftime("%H:%M:%S", time.localtime(self.since)) if self.since else ""
        detail = f" ({self.last_error})" if self.state != "online" and self.last_error else ""
        return f"{self.state} since {when}{detail}" if when else self.state


@dataclass
class _Device:
    config: DeviceConfig
    requests: list
    status: DeviceStatus = field(default_factory=DeviceStatus)
    next_due: float = 0.0


class BusPoller:
    """Polls the devices of one bus from its own thread; `sink(batch)` gets each poll."""

    def __init__(self, settings: LinkSettings, devices: list[DeviceConfig], sink,
                 clock=time.monotonic, wall=time.time, link_factory=ModbusLink):
        self.settings = settings
        self._link = link_factory(settings)
        self._devices = [_Device(d, plan(list(d.points))) for d in devices]
        self._sink, self._clock, self._wall = sink, clock, wall
        self._stop = threading.Event()
        self.lock = threading.Lock()  # one transaction on the wire at a time
        self._thread: threading.Thread | None = None
        self.missed_slots = 0
        self.crashes = 0  # unexpected exceptions the thread survived

    # -- running --------------------------------------------------------------------------------
    def start(self) -> "BusPoller":
        now = self._clock()
        for d in self._devices:
            d.next_due = now
        self._thread = threading.Thread(target=self._loop, name=f"modbus {self.settings.label}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
        self._link.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            device = min(self._devices, key=lambda d: d.next_due)
            wait = device.next_due - self._clock()
            if wait > 0 and self._stop.wait(wait):
                return
            try:
                self.poll(device)
            except Exception as exc:  # supervised: the bus's thread outlives any one failure
                self.crashes += 1
                first = device.status.last_error != f"unexpected: {exc}"
                log.error("%s (unit %s on %s): unexpected %s; the poller goes on",
                          device.config.name, device.config.unit_id, self.settings.label,
                          type(exc).__name__, exc_info=first)
                self._failed(device, f"unexpected: {exc}")

    # -- one poll -------------------------------------------------------------------------------
    def poll(self, device: _Device) -> PollBatch | None:
        """Read every request of a device; hand the batch to the sink, or mark a failure."""
        config = device.config
        started_wall = self._wall()
        values: list[tuple[str, float]] = []
        try:
            for i, request in enumerate(device.requests):
                if i and config.min_interval_ms:
                    self._stop.wait(config.min_interval_ms / 1000)
                words = self._read(request, config)
                values.extend((k, v) for k, v in request.values(words).items()
                              if not math.isnan(v))
        except ModbusReadError as exc:
            self._failed(device, str(exc))
            return None
        batch = PollBatch(config.name, int(started_wall * 1_000_000), tuple(values))
        self._succeeded(device)
        self._sink(batch)
        return batch

    def _read(self, request, config: DeviceConfig) -> list[int]:
        for attempt in range(config.retries + 1):
            try:
                with self.lock:
                    return self._link.read(request.kind, request.address, request.count,
                                           config.unit_id, config.timeout_s)
            except ModbusReadError as exc:
                if exc.code is not None or attempt == config.retries:
                    raise  # an exception code will not change on a retry
        raise AssertionError("unreachable")

    def _succeeded(self, device: _Device) -> None:
        status = device.status
        if status.state != "online":
            if status.state in ("retrying", "offline"):
                log.info("%s (unit %s on %s) answers again", device.config.name,
                         device.config.unit_id, self.settings.label)
            status.state, status.since = "online", self._wall()
        status.polls += 1
        status.consecutive = 0
        self._schedule(device, device.config.interval_s)

    def _failed(self, device: _Device, error: str) -> None:
        status = device.status
        status.failures += 1
        status.consecutive += 1
        status.last_error = error
        if status.state in ("online", "waiting"):
            log.error("%s (unit %s on %s): %s; retrying quietly", device.config.name,
                      device.config.unit_id, self.settings.label, error)
            status.state, status.since = "retrying", self._wall()
        elif status.state == "retrying" and status.consecutive >= OFFLINE_AFTER:
            status.state = "offline"  # `since` keeps the time it first failed
        else:
            log.debug("%s still failing: %s", device.config.name, error)
        backoff = min(MAX_BACKOFF_S, device.config.interval_s * 2 ** (status.consecutive - 1))
        self._schedule(device, backoff)

    def _schedule(self, device: _Device, step: float) -> None:
        now = self._clock()
        due = device.next_due + step
        if due < now:  # late: skip the slots that passed rather than bunching polls
            skipped = int((now - due) // step) + 1
            self.missed_slots += skipped if device.status.state == "online" else 0
            due += skipped * step
        device.next_due = due

    def status(self) -> dict[str, DeviceStatus]:
        return {d.config.name: d.status for d in self._devices}


def scan(link: ModbusLink, unit_ids=range(1, 248), kind: RegisterKind = RegisterKind.HOLDING,
         address: int = 0) -> list[int]:
    """Unit ids that answer on a bus: any answer counts, even an exception code."""
    found = []
    for unit in unit_ids:
        try:
            link.read(kind, address, 1, unit)
            found.append(unit)
        except ModbusReadError as exc:
            if exc.code is not None and exc.code != 4 and exc.code != 11:
                found.append(unit)  # illegal function/address: a device is there
    return found
