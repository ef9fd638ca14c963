import pytest

from energize_desktop.core.errors import UnitError
from energize_desktop.core.units import (
    DEFAULT_GAS_KWH_PER_M3,
    convert,
    eui_kwh_per_m2_year,
    gas_volume_to_kwh,
    kwh_per_m2_to_kbtu_per_ft2,
    m2_to_ft2,
    parse_unit,
)


@pytest.mark.parametrize("value, src, dst, expected", [
    (1500, "W", "kW", 1.5), (2.5, "MW", "kW", 2500), (1, "MWh", "kWh", 1000),
    (250, "Wh", "kWh", 0.25), (1, "therm", "kWh", 29.307107), (3.6, "MJ", "kWh", 1.0),
    (212, "°F", "°C", 100.0), (0, "°C", "K", 273.15), (1, "ft³", "m³", 0.0283168466),
])
def test_convert(value, src, dst, expected):
    assert convert(value, src, dst) == pytest.approx(expected)


@pytest.mark.parametrize("text, symbol", [("kwh", "kWh"), ("KWH", "kWh"), ("m3", "m³"),
                                          ("degC", "°C"), ("°F", "°F"), ("therms", "therm")])
def test_parse_accepts_what_files_write(text, symbol):
    assert parse_unit(text).symbol == symbol


def test_unknown_and_incompatible_units_say_what_was_expected():
    with pytest.raises(UnitError, match="unknown unit 'furlongs'.*expected one of"):
        parse_unit("furlongs")
    with pytest.raises(UnitError, match="cannot convert kWh .*energy.* to kW .*power"):
        convert(1, "kWh", "kW")


def test_gas_by_volume_uses_the_calorific_value():
    assert gas_volume_to_kwh(100, 11.0) == pytest.approx(1100)
    assert DEFAULT_GAS_KWH_PER_M3 == pytest.approx(11.22, abs=0.01)
    with pytest.raises(UnitError):
        gas_volume_to_kwh(1, 0)


def test_eui_in_si_and_us_units():
    eui = eui_kwh_per_m2_year(420_000, 4200)
    assert eui == pytest.approx(100)
    # 100 kWh/m²·yr is 31.7 kBtu/ft²·yr
    assert kwh_per_m2_to_kbtu_per_ft2(eui) == pytest.approx(31.7, abs=0.05)
    assert m2_to_ft2(1) == pytest.approx(10.7639, abs=1e-4)
    with pytest.raises(UnitError, match="floor area"):
        eui_kwh_per_m2_year(1, 0)
