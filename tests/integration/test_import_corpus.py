"""Every file of the awkward corpus gives its expected error (naming line and column) or result,
and a failed file leaves the workspace exactly as it was."""

from pathlib import Path

import numpy as np
import pytest

from energize_desktop.core.errors import EnergizeError
from energize_desktop.imports.channels import ChannelHints
from energize_desktop.jobs.importer import ImportOptions, import_file

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
H = 3_600_000_000

# file -> substring(s) the error must contain
ERRORS = {
    "empty.csv": ["the file is empty"],
    "header_only.csv": ["line 1", "a header but no data rows"],
    "truncated_line.csv": ["line 6", "expected 3 columns", "'2024-01-15 01:00,Ma'"],
    "mixed_delimiters.csv": ["line 6", "expected 3 columns separated by ','"],
    "text_in_numeric.csv": ["line 5", "column 'value'", "expected a number", "'twelve'"],
    "duplicated_conflict.csv": ["lines 3 and 6", "1.1 and 9.99", "keep the first value"],
    "dst_spring_nonexistent.csv": ["line(s) 4, 5", "does not exist in Europe/London",
                                   "fixed-offset zone Etc/GMT"],
    "ambiguous_decimal.csv": ["'1,100'", "choose the decimal mark"],
    "dates_ambiguous.csv": ["'03/04/2024 00:00'", "the date order (DMY or MDY)"],
    "no_timestamp.csv": ["no column holds timestamps"],
    "unknown_unit.csv": ["meter 'Main'", "unknown unit 'bananas'"],
    "no_unit.csv": ["does not say the unit", "give it (e.g. kWh"],
    "bad_timestamp_row.csv": ["line 5", "column 'timestamp'", "'2024-13-45 00:00'"],
    "broken.xml": ["line 4", "not well-formed XML"],
    "entity_bomb.xml": ["refused", "Entities"],
    "nem12_short_row.csv": ["line 3", "expected 48 interval values"],
}

# file -> {meter name: (unit, semantics, readings)}
RESULTS = {
    "null_tokens.csv": {"Main": ("kWh", "interval", 6)},
    "semicolon_decimal_comma.csv": {"Main": ("kWh", "interval", 6)},
    "duplicated_identical.csv": {"Main": ("kWh", "interval", 4)},
    "dst_autumn_repeated.csv": {"Main": ("kWh", "interval", 8)},
    "dst_autumn_once.csv": {"Main": ("kWh", "interval", 4)},
    "dst_spring_ok.csv": {"Main": ("kWh", "interval", 5)},
    "utf16_bom.csv": {"Main": ("kWh", "interval", 6)},
    "utf16_no_bom.csv": {"Main": ("kWh", "interval", 6)},
    "utf8_bom.csv": {"Main": ("kWh", "interval", 6)},
    "cp1252_degrees.csv": {"Außentemperatur": ("°C", "instantaneous", 6)},
    "decimal_comma.csv": {"Hauptzähler": ("kWh", "interval", 6)},
    "thousands_comma.csv": {"Main": ("kWh", "interval", 6)},
    "thousands_dot_decimal_comma.csv": {"Main": ("kWh", "interval", 6)},
    "preamble.csv": {"Main": ("kWh", "interval", 6)},
    "dates_dmy.csv": {"Main": ("kWh", "interval", 6)},
    "dates_mdy.csv": {"Main": ("kWh", "interval", 6)},
    "epoch_seconds.csv": {"Main": ("kWh", "interval", 6)},
    "epoch_ms.csv": {"Main": ("kWh", "interval", 6)},
    "interval_end_24h.csv": {"Main": ("kWh", "interval", 24)},
    "wide_units.csv": {"Main": ("kWh", "interval", 6), "Chiller": ("kW", "instantaneous", 6),
                       "OAT": ("°C", "instantaneous", 6)},
    "long_unit_quality.csv": {"Main": ("kWh", "interval", 6)},
    "intervals_48.csv": {"intervals_48": ("kWh", "interval", 144)},
    "intervals_short_day.csv": {"intervals_short_day": ("kWh", "interval", 46)},
    "negative_counter.csv": {"Gas counter": ("kWh", "interval", 10)},
    "separate_date_time.csv": {"separate_date_time": ("kWh", "interval", 6)},
    "green_button_download.csv": {"Electric usage": ("kWh", "interval", 6)},
    "nem12_sample.csv": {"NCDE001111 E1": ("kWh", "interval", 96)},
    "sample.epw": {"Outdoor temperature (TESTVILLE 999999)": ("°C", "instantaneous", 24)},
}


# The input each error is about, where the user can answer it (the CLI names its flag)
FIELDS = {"duplicated_conflict.csv": "on_conflict", "dst_spring_nonexistent.csv": "tz",
          "ambiguous_decimal.csv": "decimal", "dates_ambiguous.csv": "date_order",
          "no_unit.csv": "unit", "unknown_unit.csv": "unit"}


def _options(**kw):
    kw.setdefault("hints", ChannelHints(unit="kWh"))
    kw.setdefault("site", "Site")
    kw.setdefault("tz", "Europe/London")
    return ImportOptions(**kw)


def test_corpus_is_covered():
    files = {p.name for p in CORPUS.iterdir()}
    assert len(files) >= 30
    assert files == set(ERRORS) | set(RESULTS)


def _snapshot(ws):
    cur = ws.cursor()
    tables = ["sites", "meters", "readings", "rollup_15min", "rollup_hour", "rollup_day"]
    return {t: cur.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_bad_file_names_the_problem_and_changes_nothing(ws, name):
    opts = _options(hints=ChannelHints()) if name == "no_unit.csv" else _options()
    before = _snapshot(ws)
    with pytest.raises(EnergizeError) as err:
        import_file(ws, CORPUS / name, opts)
    message = str(err.value)
    for part in ERRORS[name]:
        assert part in message, message
    assert err.value.field == FIELDS.get(name)  # what the CLI turns into its flag
    assert _snapshot(ws) == before
    assert ws.meters() == [] and ws.sites() == []


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_awkward_file_imports(ws, name):
    report = import_file(ws, CORPUS / name, _options())
    found = {c.name: (c.unit, c.semantics, c.rows) for c in report.channels.values()}
    assert found == RESULTS[name]
    assert report.stored == sum(r[2] for r in RESULTS[name].values())


def _series(ws, meter):
    m = ws.meter(meter)
    cur = ws.cursor()
    rows = cur.execute("SELECT epoch_us(ts), value, quality FROM readings WHERE meter_id = ? "
                       "ORDER BY ts", [m.id]).fetchall()
    return (np.array([r[0] for r in rows]), np.array([r[1] for r in rows]),
            np.array([r[2] for r in rows]))


def _utc(text):
    return int(np.datetime64(text, "us").astype(np.int64))


def test_autumn_repeated_hour_is_placed_by_order(ws):
    report = import_file(ws, CORPUS / "dst_autumn_repeated.csv", _options())
    ts, values, _ = _series(ws, "Main")
    # 00:00 BST = 23:00 UTC the day before; eight half-hours in a row, none doubled.
    assert ts[0] == _utc("2024-10-26T23:00")
    assert (np.diff(ts) == H // 2).all()
    assert values.tolist() == [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7]
    assert any("repeated autumn hour" in d for d in report.dst)


def test_autumn_hour_seen_once_is_reported(ws):
    report = import_file(ws, CORPUS / "dst_autumn_once.csv", _options())
    assert any("lines 3" in d for d in report.dst)


def test_interval_end_stamps_move_to_interval_start(ws):
    import_file(ws, CORPUS / "interval_end_24h.csv", _options(tz="UTC"))
    ts, values, _ = _series(ws, "Main")
    assert ts[0] == _utc("2024-01-15T00:00") and values[0] == 1
    assert ts[-1] == _utc("2024-01-15T23:00") and values[-1] == 24  # 24:00 ends the day


def test_numbers_in_local_styles(ws):
    import_file(ws, CORPUS / "thousands_comma.csv", _options(site="A"))
    import_file(ws, CORPUS / "thousands_dot_decimal_comma.csv", _options(site="B"))
    import_file(ws, CORPUS / "decimal_comma.csv", _options(site="C"))
    by_site = {m.site_id: m for m in ws.meters()}
    values = {s.name: _series(ws, by_site[s.id].id)[1] for s in ws.sites()}
    assert values["A"][:2].tolist() == [1000.5, 1250.5]
    assert values["B"][:2].tolist() == [1000.5, 1100.5]
    assert values["C"][:2].tolist() == [0.0, 1.25]


def test_quality_column_and_nem12_flags(ws):
    import_file(ws, CORPUS / "long_unit_quality.csv", _options(site="A"))
    _, _, quality = _series(ws, "Main")
    assert quality.tolist() == [0, 0, 9, 0, 0, 0]
    import_file(ws, CORPUS / "nem12_sample.csv", _options(site="B"))
    ts, values, quality = _series(ws, "NCDE001111 E1")
    assert ts[0] == _utc("2024-01-14T14:00")  # midnight AEST (UTC+10)
    assert (quality[48:58] == 9).all() and (quality[58:] == 0).all()
    assert values[0] == pytest.approx(0.1)


def test_epochs_and_day_month_order(ws):
    import_file(ws, CORPUS / "epoch_seconds.csv", _options(site="A"))
    import_file(ws, CORPUS / "dates_mdy.csv", _options(site="B", tz="UTC"))
    a, b = sorted(ws.meters(), key=lambda m: m.site_id)
    assert _series(ws, a.id)[0][0] == _utc("2024-01-15T00:00")
    assert _series(ws, b.id)[0][0] == _utc("2024-01-10T00:00")


def test_short_day_of_interval_columns_is_a_gap_not_zeros(ws):
    import_file(ws, CORPUS / "intervals_short_day.csv", _options())
    ts, values, _ = _series(ws, "intervals_short_day")
    assert len(ts) == 46 and ts[0] == _utc("2024-03-31T00:00")
    assert (np.diff(ts) == H // 2).all()  # elapsed time: 46 half-hours fill the 23-hour day


def test_counter_with_reset_never_gives_negative_energy(ws):
    import_file(ws, CORPUS / "negative_counter.csv",
                _options(tz="UTC", hints=ChannelHints(semantics="cumulative")))
    table = ws.queries.rollup("15min", [ws.meter("Gas counter").id])
    assert (table["amount"].drop_nulls() >= 0).all()
