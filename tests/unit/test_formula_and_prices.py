"""Formulas as users write them, price files with every fault named by line, and the
reference tables: no reference for a country means none, never another country's."""

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from energize_desktop.analytics.costs import DYNAMIC, cost
from energize_desktop.analytics.tariffs import PriceSeries, parse_tariff
from energize_desktop.core.errors import ValidationError
from energize_desktop.core.formula import format_formula, parse_formula
from energize_desktop.core.model import Site
from energize_desktop.imports.csv_format import ImportFormatError
from energize_desktop.imports.price_csv import read_price_csv
from energize_desktop.jobs.benchmarks import benchmark


def test_a_formula_reads_names_with_spaces_hyphens_quotes_and_scales():
    terms = parse_formula('Main incomer - 0.5 * "AHU-1" + AHU-2 - Lighting')
    assert [(t.scale, t.name) for t in terms] == [(1.0, "Main incomer"), (-0.5, "AHU-1"),
                                                  (1.0, "AHU-2"), (-1.0, "Lighting")]
    assert parse_formula("-PV + 2*Main")[0].scale == -1.0
    for bad in ("", "Main + ", "0 * Main"):
        with pytest.raises(ValidationError) as e:
            parse_formula(bad)
        assert e.value.field == "formula"


names = st.text(alphabet="abcdefgh XYZ-_1", min_size=1, max_size=12).map(str.strip).filter(
    lambda n: n and n[0] not in "+-" and n[-1] not in "+-")


@given(st.lists(st.tuples(st.sampled_from([1.0, -1.0, 0.5, -2.0]), names), min_size=1,
                max_size=5))
@example([(1.0, "1 - 1")])  # a " - " inside a quoted name is part of it (found by hypothesis)
@example([(-1.0, "AHU - North"), (0.5, "x + y")])
def test_a_formula_shown_reads_back_the_same(terms):
    back = parse_formula(format_formula(terms))
    assert [(t.scale, t.name) for t in back] == list(terms)


def _write(tmp_path, rows, name="p.csv"):
    path = tmp_path / name
    path.write_text("timestamp,price\n" + "".join(f"{a},{b}\n" for a, b in rows))
    return path


def test_a_price_file_is_read_with_its_step(tmp_path):
    rows = [(f"2025-01-01T{h:02d}:{m:02d}Z", 0.1 + h / 100) for h in range(3) for m in (0, 30)]
    ts, price, step = read_price_csv(_write(tmp_path, rows))
    assert step == 1800 and len(ts) == 6 and price[-1] == pytest.approx(0.12)


@pytest.mark.parametrize("rows, says", [
    ([("2025-01-01T00:00Z", 0.1), ("2025-01-01T00:30Z", 0.1), ("2025-01-01T00:30Z", 0.2)],
     "line 4: 2025-01-01T00:30Z repeats line 3"),
    ([("2025-01-01T00:00Z", 0.1), ("2025-01-01T00:30Z", 0.1), ("2025-01-01T01:30Z", 0.2)],
     "line 4: 2025-01-01T01:30Z follows 2025-01-01T00:30Z: 30 min without a price"),
    ([("2025-01-01T00:00", 0.1), ("2025-01-01T00:30", 0.1)], "line 2: timestamp"),
    ([("2025-01-01T00:00Z", "abc"), ("2025-01-01T00:30Z", 0.1)], "line 2: price"),
    ([("2025-01-01T00:00Z", 85.0 * 10), ("2025-01-01T00:30Z", 0.1)], "per MWh? divide"),
    ([("2025-01-01T00:00Z", 0.1), ("2025-01-01T00:05Z", 0.1)], "every 5 min"),
])
def test_a_bad_price_file_is_refused_naming_the_line(tmp_path, rows, says):
    with pytest.raises(ImportFormatError) as e:
        read_price_csv(_write(tmp_path, rows))
    assert says in str(e.value)


def test_dynamic_prices_price_their_steps_and_the_rates_the_rest():
    t = parse_tariff({"name": "Agile", "versions": [{"rates": [{"name": "flat",
                                                              "per_kwh": 0.25}]}]})
    t0 = int(np.datetime64("2025-01-01T00:00", "us").astype(np.int64))
    prices = PriceSeries(t0 + np.arange(4, dtype=np.int64) * 1_800_000_000,
                         np.array([0.1, 0.2, -0.05, 0.3]), 1800)
    from dataclasses import replace

    t = replace(t, prices=prices)
    ts = t0 + np.arange(12, dtype=np.int64) * 900_000_000  # 3 h of 15-min steps, 2 h priced
    r = cost(ts, np.ones(12), 900, "UTC", t)
    by_hand = 2 * (0.1 + 0.2 - 0.05 + 0.3) + 4 * 0.25
    assert r.total == pytest.approx(by_hand)
    assert r.bands[DYNAMIC]["kwh"] == 8 and r.bands["flat"]["kwh"] == 4
    assert any("4 steps outside the price series" in n for n in r.notes)
    hourly = cost(ts[::4], np.ones(3), 3600, "UTC", t)  # an hour spans two prices: their mean
    assert hourly.total == pytest.approx(0.15 + 0.125 + 0.25)


def test_no_reference_for_a_country_is_no_reference_never_another_countrys():
    annual = {"electricity": {"consumption": 420_000.0, "import": 400_000.0, "export": 0.0,
                              "generation": 20_000.0}}
    gb = benchmark(Site("a", floor_area_m2=4200, country="GB", building_type="office"), annual)
    assert [r["kwh_m2"] for r in gb["references"] if r["fuel"] == "electricity"] == [95.0]
    assert "source" not in gb["eui"] and "GB" in gb["source_note"]
    fr = benchmark(Site("b", floor_area_m2=4200, country="FR", building_type="office"), annual)
    assert fr["references"] == [] and "no reference for office in FR" in fr["reference_note"]
    us = benchmark(Site("c", floor_area_m2=4200, country="US", building_type="office"), annual)
    assert us["eui"]["source"]["total"] == pytest.approx((400_000 * 2.8 + 20_000) / 4200)
    median = next(r for r in us["references"] if r["basis"] == "site")
    assert median["kwh_m2"] == pytest.approx(52.9 * 3.15459, rel=1e-4)
