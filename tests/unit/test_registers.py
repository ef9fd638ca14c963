"""Register codec: every data type in every word order round-trips, sentinels are missing,
and reads are planned within the protocol's limits."""

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.registers import (
    WORD_ORDERS,
    Point,
    decode,
    encode,
    plan,
    protocol_address,
)

RANGES = {"u16": (0, 2**16 - 2), "i16": (-2**15 + 1, 2**15 - 1), "u32": (0, 2**32 - 2),
          "i32": (-2**31 + 1, 2**31 - 1), "u64": (0, 2**53)}  # counters are read as floats: exact to 2**53


@pytest.mark.parametrize("order", WORD_ORDERS)
@pytest.mark.parametrize("dtype", ["u16", "i16", "u32", "i32", "u64"])
@given(data=st.data())
def test_integers_round_trip(order, dtype, data):
    lo, hi = RANGES[dtype]
    value = data.draw(st.integers(lo, hi))
    p = Point("x", 0, dtype=dtype, order=order)
    assert decode(p, encode(p, value)) == value


@pytest.mark.parametrize("order", WORD_ORDERS)
@pytest.mark.parametrize("dtype", ["f32", "f64"])
@given(value=st.floats(-1e9, 1e9, allow_nan=False, width=32))
def test_floats_round_trip(order, dtype, value):
    p = Point("x", 0, dtype=dtype, order=order)
    assert decode(p, encode(p, value)) == pytest.approx(value, rel=1e-7)


def test_word_orders_on_a_known_float():
    # 230.5 as IEEE-754 single is 0x43668000: bytes A=43 B=66 C=80 D=00
    words = {"ABCD": [0x4366, 0x8000], "CDAB": [0x8000, 0x4366],
             "BADC": [0x6643, 0x0080], "DCBA": [0x0080, 0x6643]}
    for order, regs in words.items():
        assert decode(Point("v", 0, dtype="f32", order=order), regs) == 230.5
    assert struct.pack(">f", 230.5).hex() == "43668000"


def test_scale_offset_and_sentinels():
    p = Point("kwh", 0, dtype="i32", order="CDAB", scale=0.1)
    assert decode(p, [1234, 0]) == pytest.approx(123.4)  # EM24: low word first
    sun = Point("w", 0, dtype="i16", sentinels=True)
    assert math.isnan(decode(sun, [0x8000]))
    assert math.isnan(decode(Point("a", 0, dtype="u16", sentinels=True), [0xFFFF]))
    assert math.isnan(decode(Point("e", 0, dtype="i32", sentinels=True), [0x8000, 0]))
    assert math.isnan(decode(Point("f", 0, dtype="f32"), [0x7FC0, 0]))
    assert decode(Point("plain", 0, dtype="u16"), [0xFFFF]) == 65535  # no sentinel: a number


def test_plan_groups_contiguous_registers_up_to_the_limit():
    points = [Point(f"p{i}", 2 * i, kind="input") for i in range(100)]  # 200 registers
    points.append(Point("h", 10, kind="holding", dtype="u16"))
    points.append(Point("far", 1000, kind="input"))
    reqs = plan(points)
    inputs = [r for r in reqs if r.kind == "input"]
    assert [(r.address, r.count) for r in inputs] == [(0, 124), (124, 76), (1000, 2)]
    assert all(r.count <= 125 for r in reqs)
    assert sum(len(r.points) for r in reqs) == len(points)
    words = [0] * 124
    words[0:2] = encode(points[0], 7.5)
    assert inputs[0].values(words)["p0"] == 7.5


def test_protocol_addresses():
    assert protocol_address("0x0048") == 0x48
    assert protocol_address(40001, base=1) == 0
    assert protocol_address(300017, base=1) == 16
    assert protocol_address(1, base=1) == 0
    with pytest.raises(ValidationError, match="outside"):
        protocol_address(0, base=1)
    with pytest.raises(ValidationError, match="word order"):
        Point("x", 0, order="ACBD")
