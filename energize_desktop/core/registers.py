"""Modbus points: data types, word and byte order, scaling, request planning, sentinels.

Pure functions over 16-bit register values, so the arithmetic is tested without a device.
Word orders are named as Telegraf names them: ABCD is big-endian (the Modbus norm), CDAB swaps
the 16-bit words, BADC swaps the bytes in each word, DCBA reverses everything.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from enum import StrEnum

from energize_desktop.core.errors import ValidationError

MAX_REGISTERS_PER_READ = 125  # protocol limit for FC03/FC04
MAX_BITS_PER_READ = 2000  # FC01/FC02


class RegisterKind(StrEnum):
    HOLDING = "holding"  # FC03
    INPUT = "input"  # FC04
    COIL = "coil"  # FC01
    DISCRETE = "discrete"  # FC02

    @property
    def is_bit(self) -> bool:
        return self in (RegisterKind.COIL, RegisterKind.DISCRETE)


class DataType(StrEnum):
    U16 = "u16"
    I16 = "i16"
    U32 = "u32"
    I32 = "i32"
    U64 = "u64"
    F32 = "f32"
    F64 = "f64"
    BOOL = "bool"

    @property
    def registers(self) -> int:
        return {"u16": 1, "i16": 1, "bool": 1, "u32": 2, "i32": 2, "f32": 2, "u64": 4,
                "f64": 4}[self.value]


_STRUCT = {DataType.U16: "H", DataType.I16: "h", DataType.U32: "I", DataType.I32: "i",
           DataType.U64: "Q", DataType.F32: "f", DataType.F64: "d"}
WORD_ORDERS = ("ABCD", "CDAB", "BADC", "DCBA")

# SunSpec "not implemented" values: missing, never numbers.
SENTINELS = {DataType.I16: 0x8000, DataType.U16: 0xFFFF, DataType.I32: 0x80000000,
             DataType.U32: 0xFFFFFFFF, DataType.U64: 0xFFFFFFFFFFFFFFFF}


@dataclass(frozen=True)
class Point:
    """One value read from a device: where it is, how it is encoded, what it means."""

    name: str
    address: int  # protocol address, 0-based (the '40001' style is converted on load)
    kind: RegisterKind = RegisterKind.HOLDING
    dtype: DataType = DataType.F32
    order: str = "ABCD"
    scale: float = 1.0
    offset: float = 0.0
    unit: str = ""
    semantics: str = "instantaneous"
    sentinels: bool = False  # treat SunSpec not-implemented values as missing
    options: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "kind", RegisterKind(self.kind))
        object.__setattr__(self, "dtype", DataType(self.dtype))
        if self.order.upper() not in WORD_ORDERS:
            raise ValidationError(f"point {self.name!r}: word order {self.order!r} is not one "
                                  f"of {', '.join(WORD_ORDERS)}")
        object.__setattr__(self, "order", self.order.upper())
        if not 0 <= self.address <= 65535:
            raise ValidationError(f"point {self.name!r}: address {self.address} is outside "
                                  "0..65535 (0-based protocol address)")
        if self.kind.is_bit and self.dtype is not DataType.BOOL:
            object.__setattr__(self, "dtype", DataType.BOOL)

    @property
    def count(self) -> int:
        return 1 if self.kind.is_bit else self.dtype.registers


def decode(point: Point, words: list[int]) -> float:
    """Value of `point` from its registers (or bit); NaN when missing (sentinel or NaN)."""
    if point.kind.is_bit or point.dtype is DataType.BOOL:
        return float(bool(words[0]))
    raw = _to_bytes(words[:point.dtype.registers], point.order)
    value = struct.unpack(">" + _STRUCT[point.dtype], raw)[0]
    if point.sentinels:
        if point.dtype in SENTINELS and struct.unpack(">" + _STRUCT[point.dtype].upper(),
                                                      raw)[0] == SENTINELS[point.dtype]:
            return math.nan
    if isinstance(value, float) and not math.isfinite(value):
        return math.nan
    return value * point.scale + point.offset


def encode(point: Point, value: float) -> list[int]:
    """Registers that `decode` reads back as `value` (for simulators and tests)."""
    if point.kind.is_bit or point.dtype is DataType.BOOL:
        return [1 if value else 0]
    raw_value = (value - point.offset) / point.scale
    if point.dtype not in (DataType.F32, DataType.F64):
        raw_value = int(round(raw_value))
    raw = struct.pack(">" + _STRUCT[point.dtype], raw_value)
    return _from_bytes(raw, point.order)


def _to_bytes(words: list[int], order: str) -> bytes:
    """Registers as read, to big-endian bytes of the value."""
    words = list(words)
    if order in ("CDAB", "DCBA"):
        words.reverse()
    data = b"".join(w.to_bytes(2, "big") for w in words)
    if order in ("BADC", "DCBA"):
        data = bytes(b for i in range(0, len(data), 2) for b in (data[i + 1], data[i]))
    return data


def _from_bytes(data: bytes, order: str) -> list[int]:
    if order in ("BADC", "DCBA"):
        data = bytes(b for i in range(0, len(data), 2) for b in (data[i + 1], data[i]))
    words = [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]
    if order in ("CDAB", "DCBA"):
        words.reverse()
    return words


@dataclass(frozen=True)
class Request:
    """One read: a register kind, a start address and a count, covering some points."""

    kind: RegisterKind
    address: int
    count: int
    points: tuple[Point, ...]

    def values(self, words: list[int]) -> dict[str, float]:
        return {p.name: decode(p, words[p.address - self.address:]) for p in self.points}


def plan(points: list[Point], max_gap: int = 0) -> list[Request]:
    """Group points into as few reads as the protocol allows.

    Points of one register kind whose registers are contiguous (or `max_gap` apart, for
    devices that allow reading unmapped registers) share a request of up to 125 registers.
    """
    requests = []
    limit = {True: MAX_BITS_PER_READ, False: MAX_REGISTERS_PER_READ}
    for kind in RegisterKind:
        chosen = sorted((p for p in points if p.kind is kind), key=lambda p: p.address)
        group: list[Point] = []
        for p in chosen:
            if group:
                start = group[0].address
                end = max(q.address + q.count for q in group)
                fits = p.address + p.count - start <= limit[kind.is_bit]
                if p.address <= end + max_gap and fits:
                    group.append(p)
                    continue
                requests.append(_request(kind, group))
            group = [p]
        if group:
            requests.append(_request(kind, group))
    return requests


def _request(kind: RegisterKind, group: list[Point]) -> Request:
    start = group[0].address
    end = max(p.address + p.count for p in group)
    return Request(kind, start, end - start, tuple(group))


def protocol_address(text: str | int, base: int = 0) -> int:
    """A register number as documents print it to the 0-based protocol address.

    `base` 0: the number is the protocol address. `base` 1: register 1 is address 0.
    Six- and five-digit Modicon numbers (300001, 40001) keep only their offset (1-based).
    """
    number = int(str(text), 0)
    digits = str(number)
    if base == 1 and len(digits) in (5, 6) and digits[0] in "1234":
        number = int(digits[1:])
    address = number - base
    if not 0 <= address <= 65535:
        raise ValidationError(f"register {text!r} (base {base}) is outside the protocol's "
                              "0..65535 addresses")
    return address
