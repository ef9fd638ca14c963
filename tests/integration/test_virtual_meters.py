"""Virtual meters on the demo: computed from their terms' rollups (the oracle: the terms' own
month rollups combined by hand), a term missing is the result missing, never written to,
refused with the field named when the formula is wrong, and edited and undone like any field."""

import numpy as np
import pytest

from energize_desktop.cli import main
from energize_desktop.core.errors import ValidationError
from energize_desktop.core.model import Meter, Site
from energize_desktop.jobs import describe
from energize_desktop.jobs.virtual import add_virtual, formula_text
from energize_desktop.storage import Workspace


def test_a_virtual_meter_is_its_terms_combined_bucket_by_bucket(demo_file):
    with Workspace.open(demo_file, read_only=True) as ws:
        v = ws.meter("Building consumption")
        terms = [ws.meter(n) for n in ("Main incomer", "Rooftop PV", "Grid export")]
        for level in ("hour", "day", "month"):
            mine = ws.queries.rollup(level, [v.id])
            parts = [ws.queries.rollup(level, [t.id]).select("bucket", "amount", "coverage")
                     for t in terms]
            joined = parts[0].join(parts[1], on="bucket", suffix="_pv").join(
                parts[2], on="bucket", suffix="_x")
            by_hand = (joined["amount"] + joined["amount_pv"] - joined["amount_x"]).to_numpy()
            whole = np.min([joined[c].to_numpy() for c in ("coverage", "coverage_pv",
                                                           "coverage_x")], axis=0) >= 0.999
            assert mine["bucket"].to_list() == joined["bucket"].to_list()
            got = mine["amount"].to_numpy().astype(float)
            assert np.allclose(got[whole], by_hand[whole])
            assert np.isnan(got[~whole]).all()  # a term partly missing: no amount, never less
            assert whole.mean() > 0.9  # only the PV gap (June) is partial
        assert formula_text(ws, v) == "Main incomer + Rooftop PV - Grid export"
        assert v.effective_role.value == "other"  # never added to a site total


def test_a_term_missing_is_the_result_missing_never_a_zero(demo_file):
    with Workspace.open(demo_file, read_only=True) as ws:
        v, pv = ws.meter("Building consumption"), ws.meter("Rooftop PV")
        hours_pv = set(ws.queries.rollup("hour", [pv.id])["bucket"].to_list())
        hours_main = set(ws.queries.rollup("hour", [ws.meter("Main incomer").id])["bucket"]
                         .to_list())
        mine = set(ws.queries.rollup("hour", [v.id])["bucket"].to_list())
    lost = hours_main - hours_pv
    assert len(lost) >= 20  # the demo's day without PV readings
    assert not (mine & lost) and mine <= hours_pv & hours_main


def test_a_virtual_meter_is_never_written_and_has_no_raw_export(demo_copy, tmp_path, capsys):
    with Workspace.open(demo_copy) as ws:
        v = ws.meter("Building consumption")
        with pytest.raises(ValidationError, match="virtual"):
            ws.writer().append({"meter_id": np.array([v.id], np.int32),
                                "ts": np.array([1_700_000_000_000_000], np.int64),
                                "value": np.array([1.0])})
    assert main(["export", "-w", str(demo_copy), "-m", "Building consumption", "--resolution",
                 "raw", "--out", str(tmp_path / "x.csv")]) != 0
    err = capsys.readouterr().err
    assert "--resolution" in err and "is a virtual meter" in err


def test_a_wrong_formula_names_the_field_and_what_is_wrong(tmp_path):
    ws = Workspace.create(tmp_path / "w.energize")
    site = ws.add_site(Site("S", "Europe/London"))
    for name, kind, unit in (("Main", "electricity", "kWh"), ("Tap", "water", "m³"),
                             ("Air", "temperature", "°C"), ("Sub", "electricity", "kWh")):
        ws.add_meter(Meter(name, kind, unit, "instantaneous" if unit == "°C" else "interval",
                           site_id=site.id))
    cases = {"Main - Nope": "no meter 'Nope' on site S",
             "Main + Tap": "mixes kWh and m³",
             "Main - Air": "a level that does not add up",
             "Main - Main": "appears twice"}
    for text, says in cases.items():
        with pytest.raises(ValidationError, match=says) as e:
            add_virtual(ws, "V", text)
        assert e.value.field == "formula"
    v = add_virtual(ws, "Unmetered", "Main - Sub")
    with pytest.raises(ValidationError, match="itself virtual"):
        add_virtual(ws, "W", "Main - Unmetered")
    with pytest.raises(ValidationError, match="itself virtual"):
        describe.set_meter(ws, "Unmetered", {"formula": "Main - Unmetered"}, "me")
    with pytest.raises(ValidationError, match="only a virtual meter has a formula"):
        describe.set_meter(ws, "Main", {"formula": "Sub"}, "me")
    changed, done = describe.set_meter(ws, "Unmetered", {"formula": "Main - 0.5 * Sub"}, "me")
    assert formula_text(ws, changed) == "Main - 0.5 * Sub" and done[0].field == "formula"
    describe.undo(ws, "me", "meter", "Unmetered")
    assert formula_text(ws, ws.meter(v.id)) == "Main - Sub"
    ws.close()


def test_the_cli_adds_and_shows_a_virtual_meter(demo_copy, capsys):
    assert main(["meter", "add-virtual", "-w", str(demo_copy), "Unmetered", "--formula",
                 "Main incomer - HVAC - Lighting - Plug loads - Server room"]) == 0
    assert "virtual meter Unmetered" in capsys.readouterr().out
    assert main(["info", "-w", str(demo_copy)]) == 0
    assert "virtual = Main incomer - HVAC - Lighting - Plug loads - Server room" in \
        capsys.readouterr().out
