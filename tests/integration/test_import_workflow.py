"""Import as users run it: twice, overlapping, conflicting, failing half-way, dry, from the CLI,
with a saved profile, with progress."""

import numpy as np
import pytest

from energize_desktop.cli import main
from energize_desktop.core.errors import EnergizeError
from energize_desktop.imports import blocks
from energize_desktop.imports.channels import ChannelHints
from energize_desktop.jobs.importer import ImportOptions, import_file
from energize_desktop.storage import Workspace
from energize_desktop.storage.imports import ImportConflictError


def _write(path, start_h, hours, value=lambda h: 1.0 + h % 7, meters=("Main", "Chiller")):
    lines = ["timestamp,meter,value"]
    for h in range(start_h, start_h + hours):
        day, hour = divmod(h, 24)
        for m in meters:
            lines.append(f"2024-02-{1 + day:02d} {hour:02d}:00,{m},{value(h):.3f}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _opts(**kw):
    kw.setdefault("hints", ChannelHints(unit="kWh"))
    return ImportOptions(site="Site", tz="UTC", **kw)


def _day_total(ws):
    ids = [m.id for m in ws.meters()]
    return float(ws.queries.rollup("day", ids)["amount"].sum()) if ids else 0.0


def _state(ws):
    cur = ws.cursor()
    return (cur.execute("SELECT count(*), sum(value) FROM readings").fetchall()[0],
            round(_day_total(ws), 9), len(ws.meters()))


def test_same_file_twice_stores_nothing_twice(ws, tmp_path):
    path = _write(tmp_path / "a.csv", 0, 48)
    first = import_file(ws, path, _opts())
    before = _state(ws)
    second = import_file(ws, path, _opts())
    assert first.stored == 96 and second.stored == 0 and second.identical == 96
    assert _state(ws) == before


def test_overlapping_file_adds_only_the_new_part(ws, tmp_path):
    import_file(ws, _write(tmp_path / "a.csv", 0, 48), _opts())
    report = import_file(ws, _write(tmp_path / "b.csv", 24, 48), _opts())
    assert report.identical == 48 and report.stored == 48
    assert ws.cursor().execute("SELECT count(*) FROM readings").fetchall()[0][0] == 144


def test_differing_values_abort_keep_or_replace(ws, tmp_path):
    import_file(ws, _write(tmp_path / "a.csv", 0, 24), _opts())
    changed = _write(tmp_path / "b.csv", 0, 24, value=lambda h: 5.0 if h == 3 else 1.0 + h % 7)
    before = _state(ws)
    with pytest.raises(ImportConflictError, match=r"2 reading\(s\) differ.*stored 4, file 5"):
        import_file(ws, changed, _opts())
    assert _state(ws) == before
    kept = import_file(ws, changed, _opts(on_conflict="keep"))
    assert kept.kept == 2 and _state(ws) == before
    replaced = import_file(ws, changed, _opts(on_conflict="replace"))
    assert replaced.replaced == 2
    assert _day_total(ws) == pytest.approx(before[1] + 2 * (5.0 - 4.0))


def test_file_failing_in_a_later_block_leaves_the_workspace_as_it_was(ws, tmp_path,
                                                                      monkeypatch):
    import_file(ws, _write(tmp_path / "a.csv", 0, 24), _opts())
    before = _state(ws)
    bad = _write(tmp_path / "b.csv", 24, 24 * 20)
    text = bad.read_text().splitlines()
    text[-3] = text[-3].rsplit(",", 1)[0] + ",oops"
    bad.write_text("\n".join(text) + "\n")
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 4096)  # many blocks: the bad one comes last
    progress = []
    with pytest.raises(EnergizeError, match=f"line {len(text) - 2}.*'oops'"):
        import_file(ws, bad, _opts(), lambda f, t: progress.append(f))
    assert len(progress) > 3  # earlier blocks had been written inside the transaction
    assert _state(ws) == before
    # and the workspace still takes the good part of the data
    assert import_file(ws, _write(tmp_path / "c.csv", 24, 24), _opts()).stored == 48
    ws.close()
    with Workspace.open(ws.path) as again:  # what was committed is what reopens
        assert again.cursor().execute("SELECT count(*) FROM readings").fetchall()[0][0] == 96


def test_progress_rises_to_one(ws, tmp_path, monkeypatch):
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 1024)
    seen = []
    import_file(ws, _write(tmp_path / "a.csv", 0, 24 * 10), _opts(),
                lambda fraction, text: seen.append(fraction))
    assert len(seen) > 5 and seen == sorted(seen) and seen[-1] == 1.0


def test_dry_run_stores_nothing(ws, tmp_path):
    report = import_file(ws, _write(tmp_path / "a.csv", 0, 24), _opts(dry_run=True))
    assert report.rows == 48 and report.dry_run and "would store" in report.text()
    assert _state(ws)[0][0] == 0 and ws.meters() == [] and ws.sites() == []


def test_cli_import_summary_exit_status_and_profile(tmp_path, capsys):
    w = tmp_path / "w.energize"
    good = _write(tmp_path / "a.csv", 0, 24)
    assert main(["import", str(good), "-w", str(w), "--site", "HQ", "--tz", "UTC",
                 "--unit", "kWh", "--save-profile", "utility-x", "-q"]) == 0
    out = capsys.readouterr().out
    assert "Main [kWh, electricity, interval, every 1 h]" in out and "stored 48" in out
    assert "saved profile 'utility-x'" in out
    later = _write(tmp_path / "b.csv", 24, 24)
    assert main(["import", str(later), "-w", str(w), "--profile", "utility-x",
                 "--unit", "kWh", "-q", "--json"]) == 0
    assert '"stored": 48' in capsys.readouterr().out
    missing = tmp_path / "nope.csv"
    assert main(["import", str(missing), "-w", str(w), "-q"]) == 1
    assert "no such file" in capsys.readouterr().err


def test_meter_renames_a_single_series_and_converts_units(ws, tmp_path):
    path = tmp_path / "wh.csv"
    path.write_text("timestamp,Main [Wh]\n2024-02-01 00:00,1500\n2024-02-01 01:00,2500\n")
    import_file(ws, tmp_path / "wh.csv", _opts(meter="Incomer"))
    incomer = ws.meter("Incomer")
    assert incomer.unit == "Wh"
    path2 = tmp_path / "kwh.csv"
    path2.write_text("timestamp,Main [kWh]\n2024-02-01 02:00,3\n")
    import_file(ws, path2, _opts(meter="Incomer"))
    values = ws.cursor().execute("SELECT value FROM readings WHERE meter_id = ? ORDER BY ts",
                                 [incomer.id]).fetchall()
    assert np.allclose([v for (v,) in values], [1500, 2500, 3000])
