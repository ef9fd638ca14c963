"""The one module that imports pymodbus (3.16+: `device_id=`, no payload decoder).

`ModbusLink` is one physical bus — a TCP endpoint, a serial port, or RTU framed over TCP — read
with pymodbus's synchronous client from the bus's own worker thread. `RegisterServer` serves
register maps on 127.0.0.1 for the simulator and the tests. Decoding lives in core/registers.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass

from pymodbus import FramerType
from pymodbus.client import ModbusSerialClient, ModbusTcpClient
from pymodbus.exceptions import ModbusException
from pymodbus.server import ModbusSerialServer, ModbusTcpServer
from pymodbus.simulator import DataType as SimType
from pymodbus.simulator import SimData, SimDevice

from energize_desktop.core.errors import EnergizeError
from energize_desktop.core.registers import RegisterKind

# pymodbus logs every failed request with a traceback and a packet dump; a device that is
# offline is reported once by the poller instead (see modbus_poll), so keep the library quiet.
logging.getLogger("pymodbus").setLevel(logging.CRITICAL)


class ModbusReadError(EnergizeError):
    """A read failed: no answer in time, an exception code, or no connection."""

    def __init__(self, message: str, *, timeout: bool = False, code: int | None = None):
        super().__init__(message)
        self.timeout = timeout
        self.code = code


@dataclass(frozen=True)
class LinkSettings:
    transport: str = "tcp"  # tcp, rtu (serial), rtu-over-tcp
    host: str = "127.0.0.1"
    port: int = 502
    serial_port: str = ""
    baudrate: int = 9600
    parity: str = "N"
    stopbits: int = 1
    bytesize: int = 8
    timeout_s: float = 1.0

    @property
    def label(self) -> str:
        if self.transport == "rtu":
            return f"{self.serial_port} @ {self.baudrate} {self.bytesize}{self.parity}{self.stopbits}"
        return f"{self.host}:{self.port}" + (" (RTU over TCP)" if self.transport != "tcp" else "")


class ModbusLink:
    """A bus. Not thread-safe by design: its worker thread is its only user."""

    def __init__(self, settings: LinkSettings):
        self.settings = settings
        s = settings
        if s.transport == "rtu":
            self._client = ModbusSerialClient(s.serial_port, baudrate=s.baudrate, parity=s.parity,
                                              stopbits=s.stopbits, bytesize=s.bytesize,
                                              timeout=s.timeout_s, retries=0)
        elif s.transport in ("tcp", "rtu-over-tcp"):
            framer = FramerType.SOCKET if s.transport == "tcp" else FramerType.RTU
            self._client = ModbusTcpClient(s.host, port=s.port, framer=framer,
                                           timeout=s.timeout_s, retries=0)
        else:
            raise EnergizeError(f"Modbus transport {s.transport!r}: expected tcp, rtu or "
                                "rtu-over-tcp")

    def read(self, kind: RegisterKind, address: int, count: int, device_id: int,
             timeout_s: float | None = None) -> list[int]:
        """Registers (or bits as 0/1) from one device; ModbusReadError if none came back.

        `timeout_s` overrides the bus timeout for this request (a slow gateway behind a fast
        bus); pymodbus reads its one timeout from the shared comm parameters at each request.
        """
        self._client.comm_params.timeout_connect = timeout_s or self.settings.timeout_s
        if not self._client.connected and not self._client.connect():
            raise ModbusReadError(f"{self.settings.label}: cannot connect")
        call = {RegisterKind.HOLDING: self._client.read_holding_registers,
                RegisterKind.INPUT: self._client.read_input_registers,
                RegisterKind.COIL: self._client.read_coils,
                RegisterKind.DISCRETE: self._client.read_discrete_inputs}[kind]
        try:
            response = call(address, count=count, device_id=device_id)
        except ModbusException as exc:
            self._client.close()  # a timed-out stream may hold a late answer: start clean
            raise ModbusReadError(f"{self.settings.label} unit {device_id}: no answer "
                                  f"({exc.__class__.__name__})", timeout=True) from None
        if response.isError():
            code = getattr(response, "exception_code", None)
            raise ModbusReadError(f"{self.settings.label} unit {device_id}: exception code "
                                  f"{code} reading {kind} {address}+{count}", code=code)
        if kind.is_bit:
            return [int(b) for b in response.bits[:count]]
        return list(response.registers)

    def close(self) -> None:
        self._client.close()


class RegisterServer:
    """A Modbus TCP server on 127.0.0.1 in a background thread, serving register maps.

    `units` maps unit id -> {RegisterKind: {address: value}} (protocol addresses); registers
    not listed answer with exception code 2, unit ids not listed with code 4.
    Values change while it runs with `set`.
    """

    _FC = {RegisterKind.COIL: 5, RegisterKind.DISCRETE: 2, RegisterKind.HOLDING: 16,
           RegisterKind.INPUT: 4}

    def __init__(self, units: dict[int, dict[RegisterKind, dict[int, int]]], port: int,
                 host: str = "127.0.0.1", rtu_over_tcp: bool = False,
                 serial_port: str | None = None, baudrate: int = 9600):
        self._framer = FramerType.RTU if rtu_over_tcp else FramerType.SOCKET
        self._serial = (serial_port, baudrate) if serial_port else None
        devices = [SimDevice(unit, simdata=tuple(_runs(kinds.get(k, {}), k.is_bit)
                                                 for k in _BLOCK_ORDER))
                   for unit, kinds in units.items()]
        self.host, self.port = host, port
        self._devices = devices
        self._loop = asyncio.new_event_loop()
        self._server = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"modbus-server-{port}",
                                        daemon=True)

    def start(self) -> "RegisterServer":
        self._thread.start()
        if not self._ready.wait(10) or self._error:
            raise EnergizeError(f"Modbus server on {self.host}:{self.port} did not start "
                                f"({self._error})")
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def serve():
            if self._serial:
                self._server = ModbusSerialServer(self._devices, port=self._serial[0],
                                                  baudrate=self._serial[1])
            else:
                self._server = ModbusTcpServer(self._devices, address=(self.host, self.port),
                                               framer=self._framer)
            await self._server.serve_forever(background=True)
            self._ready.set()
            await self._server.serving

        try:
            self._loop.run_until_complete(serve())
        except BaseException as exc:  # reported by start()
            self._error = exc
            self._ready.set()

    def set(self, unit: int, kind: RegisterKind, address: int, values: list[int]) -> None:
        """Change registers (or bits) of a unit; returns once the server holds them."""
        coro = self._server.async_setValues(unit, self._FC[kind], address,
                                            [bool(v) for v in values] if kind.is_bit
                                            else list(values))
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    def stop(self) -> None:
        if self._server is not None and self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._server.shutdown(), self._loop).result(10)
        self._thread.join(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# SimDevice takes the four blocks in this order when a device keeps them apart.
_BLOCK_ORDER = (RegisterKind.COIL, RegisterKind.DISCRETE, RegisterKind.HOLDING,
                RegisterKind.INPUT)


def _runs(values: dict[int, int], bits: bool) -> list[SimData]:
    """Contiguous runs of addresses as SimData blocks (gaps stay illegal addresses)."""
    out, run = [], []
    for address in sorted(values):
        if run and address != run[-1] + 1:
            out.append(_block(run, values, bits))
            run = []
        run.append(address)
    if run:
        out.append(_block(run, values, bits))
    if out:
        return out
    return [SimData(0, count=1, values=False, datatype=SimType.BITS) if bits
            else SimData(0, count=1, datatype=SimType.INVALID)]


def _block(run: list[int], values: dict[int, int], bits: bool) -> SimData:
    if bits:
        return SimData(run[0], values=[bool(values[a]) for a in run], datatype=SimType.BITS)
    return SimData(run[0], values=[values[a] for a in run], datatype=SimType.REGISTERS)
