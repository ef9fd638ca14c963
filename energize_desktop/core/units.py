"""Units, dimensions and conversions.

Every stored value keeps the unit it was measured in; conversion happens when energy is derived
(rollups are kept in a canonical unit per dimension: kWh for energy, kW for power, m³ for volume).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from energize_desktop.core.errors import UnitError

KWH_PER_THERM = 29.307107  # 1 therm = 100,000 Btu (US) = 105.505585 MJ
KWH_PER_MJ = 1 / 3.6
M2_PER_FT2 = 0.09290304
KBTU_PER_KWH = 3.412142
# Natural gas: a typical gross calorific value of 39.5 MJ/m³ with the UK volume correction
# factor 1.02264 gives 11.22 kWh/m³. Utilities print the CV on each bill; meters may override it.
DEFAULT_GAS_KWH_PER_M3 = 39.5 * 1.02264 / 3.6


class Dimension(StrEnum):
    ENERGY = "energy"
    POWER = "power"
    VOLUME = "volume"
    FLOW = "flow"
    TEMPERATURE = "temperature"
    VOLTAGE = "voltage"
    CURRENT = "current"
    FREQUENCY = "frequency"
    RATIO = "ratio"
    REACTIVE_ENERGY = "reactive energy"
    MONEY = "money"  # costs as billed (Green Button IntervalReading.cost); never converted
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Unit:
    symbol: str
    dimension: Dimension
    factor: float  # multiply by this to get the dimension's canonical unit
    offset: float = 0.0  # added after scaling (temperatures only)

    def to_canonical(self, value):
        return value * self.factor + self.offset

    def from_canonical(self, value):
        return (value - self.offset) / self.factor


CANONICAL = {
    Dimension.ENERGY: "kWh",
    Dimension.POWER: "kW",
    Dimension.VOLUME: "m³",
    Dimension.FLOW: "m³/h",
    Dimension.TEMPERATURE: "°C",
    Dimension.VOLTAGE: "V",
    Dimension.CURRENT: "A",
    Dimension.FREQUENCY: "Hz",
    Dimension.RATIO: "",
    Dimension.REACTIVE_ENERGY: "kvarh",
    Dimension.MONEY: "",
    Dimension.OTHER: "",
}

_UNITS = [
    Unit("Wh", Dimension.ENERGY, 1e-3),
    Unit("kWh", Dimension.ENERGY, 1.0),
    Unit("MWh", Dimension.ENERGY, 1e3),
    Unit("GWh", Dimension.ENERGY, 1e6),
    Unit("MJ", Dimension.ENERGY, KWH_PER_MJ),
    Unit("GJ", Dimension.ENERGY, 1e3 * KWH_PER_MJ),
    Unit("therm", Dimension.ENERGY, KWH_PER_THERM),
    Unit("kBtu", Dimension.ENERGY, 1 / KBTU_PER_KWH),
    Unit("W", Dimension.POWER, 1e-3),
    Unit("kW", Dimension.POWER, 1.0),
    Unit("MW", Dimension.POWER, 1e3),
    Unit("m³", Dimension.VOLUME, 1.0),
    Unit("L", Dimension.VOLUME, 1e-3),
    Unit("ft³", Dimension.VOLUME, 0.0283168466),
    Unit("m³/h", Dimension.FLOW, 1.0),
    Unit("L/s", Dimension.FLOW, 3.6),
    Unit("°C", Dimension.TEMPERATURE, 1.0),
    Unit("°F", Dimension.TEMPERATURE, 5 / 9, -32 * 5 / 9),
    Unit("K", Dimension.TEMPERATURE, 1.0, -273.15),
    Unit("V", Dimension.VOLTAGE, 1.0),
    Unit("A", Dimension.CURRENT, 1.0),
    Unit("Hz", Dimension.FREQUENCY, 1.0),
    Unit("", Dimension.RATIO, 1.0),
    Unit("%", Dimension.RATIO, 0.01),
    Unit("varh", Dimension.REACTIVE_ENERGY, 1e-3),
    Unit("kvarh", Dimension.REACTIVE_ENERGY, 1.0),
    Unit("BTU", Dimension.ENERGY, 1e-3 / KBTU_PER_KWH),
    *(Unit(code, Dimension.MONEY, 1.0) for code in ("USD", "EUR", "GBP", "AUD", "CAD", "NZD",
                                                     "CHF", "JPY")),
]
UNITS: dict[str, Unit] = {u.symbol: u for u in _UNITS}

_ALIASES = {
    "m3": "m³", "m^3": "m³", "cubic meters": "m³", "cubic metres": "m³",
    "ft3": "ft³", "cf": "ft³", "ccf": "ft³",  # ccf handled below with its factor
    "degc": "°C", "c": "°C", "celsius": "°C", "deg c": "°C", "℃": "°C",
    "degf": "°F", "f": "°F", "fahrenheit": "°F", "deg f": "°F", "℉": "°F",
    "kelvin": "K", "therms": "therm", "thm": "therm",
    "m3/h": "m³/h", "l": "L", "litre": "L", "liter": "L", "l/s": "L/s",
    "pf": "", "cos phi": "", "-": "", "percent": "%",
}


def parse_unit(text: str | None) -> Unit:
    """Return the unit for a symbol as users and files write it ('kwh', 'degC', 'm3')."""
    if text is None:
        raise UnitError("no unit given; expected one of " + ", ".join(s for s in UNITS if s))
    raw = text.strip()
    if raw in UNITS:
        return UNITS[raw]
    folded = raw.lower()
    if folded == "ccf":  # hundred cubic feet, as US gas bills print it
        return Unit("ccf", Dimension.VOLUME, 2.83168466)
    for symbol in UNITS:
        if symbol.lower() == folded:
            return UNITS[symbol]
    if folded in _ALIASES:
        return UNITS[_ALIASES[folded]]
    known = ", ".join(s for s in UNITS if s)
    raise UnitError(f"unknown unit {text!r}; expected one of {known}")


def convert(value, from_unit: str, to_unit: str):
    """Convert between two units of the same dimension."""
    src, dst = parse_unit(from_unit), parse_unit(to_unit)
    if src.dimension is Dimension.MONEY and src.symbol != dst.symbol:
        raise UnitError(f"cannot convert {src.symbol} to {dst.symbol}: no exchange rates")
    if src.dimension != dst.dimension:
        raise UnitError(
            f"cannot convert {src.symbol or 'a ratio'} ({src.dimension}) "
            f"to {dst.symbol or 'a ratio'} ({dst.dimension})"
        )
    return dst.from_canonical(src.to_canonical(value))


def gas_volume_to_kwh(volume_m3, kwh_per_m3: float = DEFAULT_GAS_KWH_PER_M3):
    if kwh_per_m3 <= 0:
        raise UnitError(f"calorific value must be positive, got {kwh_per_m3} kWh/m³")
    return volume_m3 * kwh_per_m3


def eui_kwh_per_m2_year(annual_kwh: float, floor_area_m2: float) -> float:
    """Energy use intensity; raises on a missing or non-positive floor area."""
    if not floor_area_m2 or floor_area_m2 <= 0:
        raise UnitError(f"floor area must be positive to compute EUI, got {floor_area_m2!r} m²")
    return annual_kwh / floor_area_m2


def kwh_per_m2_to_kbtu_per_ft2(value: float) -> float:
    return value * KBTU_PER_KWH * M2_PER_FT2


def m2_to_ft2(area_m2: float) -> float:
    return area_m2 / M2_PER_FT2


# Beyond these (in the dimension's canonical unit) a value is not a measurement but a broken
# register, an overflow or a hostile input: refused with its line or topic, never stored. They
# are far past any building (a 1e12 kWh counter is a thousand years of a large power station).
PLAUSIBLE = {
    Dimension.ENERGY: 1e12, Dimension.REACTIVE_ENERGY: 1e12, Dimension.POWER: 1e8,
    Dimension.VOLUME: 1e12, Dimension.FLOW: 1e8, Dimension.VOLTAGE: 1e7,
    Dimension.CURRENT: 1e7, Dimension.FREQUENCY: 1e6, Dimension.RATIO: 1e9,
    Dimension.MONEY: 1e12, Dimension.OTHER: 1e15,
}
TEMPERATURE_RANGE = (-273.15, 1e4)  # °C


def implausible(values, unit: str):
    """A boolean mask of values that are no measurement in `unit`: not finite, or past the
    dimension's plausible magnitude."""
    u = parse_unit(unit)
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        canonical = u.to_canonical(v)
    bad = ~np.isfinite(canonical)
    if u.dimension is Dimension.TEMPERATURE:
        low, high = TEMPERATURE_RANGE
        return bad | (canonical < low - 1e-9) | (canonical > high)
    return bad | (np.abs(canonical) > PLAUSIBLE.get(u.dimension, 1e15))


def plausibility_error(value: float, unit: str) -> str:
    """Why a single value is refused (for the message naming its line or topic)."""
    return (f"{value!r} {unit} is not a measurement (not finite, or beyond what any meter "
            "reports)")
