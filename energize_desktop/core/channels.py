"""What meter a channel feeds: the one decision behind a file's column, a Modbus point and an
MQTT value, so a m³ channel is the same kind of meter however it arrives.

The kind, in order: what the user said; a temperature unit; a word in the channel's name (pv,
solar, gas, water, heat); the device's own kind (a Modbus template's); the unit (volume and
therms are gas, energy and power electricity); else other.
"""

from __future__ import annotations

import re

from energize_desktop.core.model import MeterKind, Semantics
from energize_desktop.core.units import Dimension, parse_unit

_NAME_WORDS = (("pv", MeterKind.PV), ("solar", MeterKind.PV), ("gas", MeterKind.GAS),
               ("water", MeterKind.WATER), ("heat", MeterKind.HEAT))
_GAS_UNITS = ("therm", "ft³", "ccf")
_COUNTED = (Dimension.ENERGY, Dimension.VOLUME, Dimension.REACTIVE_ENERGY)


def meter_kind(name: str, unit: str, kind: MeterKind | str | None = None,
               device_kind: MeterKind | str | None = None) -> MeterKind:
    """The kind of meter channel `name` in `unit` feeds (see the module's order)."""
    if kind:
        return MeterKind(kind)
    dim = parse_unit(unit).dimension
    if dim is Dimension.TEMPERATURE:
        return MeterKind.TEMPERATURE
    words = re.sub(r"[^a-z0-9]", "", name.lower())
    for word, named in _NAME_WORDS:
        if word in words:
            return named
    if device_kind:
        return MeterKind(device_kind)
    if unit.lower() in _GAS_UNITS or dim in (Dimension.VOLUME, Dimension.FLOW):
        return MeterKind.GAS
    if dim in (Dimension.ENERGY, Dimension.POWER, Dimension.REACTIVE_ENERGY):
        return MeterKind.ELECTRICITY
    return MeterKind.OTHER


def is_counted(unit: str) -> bool:
    """Energy, volume and reactive energy: amounts, a counter or interval amounts."""
    return parse_unit(unit).dimension in _COUNTED


def live_semantics(unit: str) -> Semantics:
    """What a live channel that does not say is: an amount's register counts up (a counter);
    everything else is a level sampled (kW, °C, V)."""
    return Semantics.CUMULATIVE if is_counted(unit) else Semantics.INSTANTANEOUS
