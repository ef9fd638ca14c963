"""Every hostile file gets a clear error that names the file (and line or field), never a
traceback, and leaves the workspace exactly as it was; mutated real files of every format give
a clean error or a clean import (hypothesis)."""

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from energize_desktop.core.errors import EnergizeError
from energize_desktop.imports.channels import ChannelHints
from energize_desktop.jobs.import_files import ImportJob
from energize_desktop.jobs.importer import ImportOptions
from energize_desktop.storage import Workspace
from tests.data.hostile import hostile_files

HOSTILE = hostile_files()
CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
TABLES = ["sites", "meters", "readings", "rollup_15min", "rollup_hour", "rollup_day", "meta"]


def _options():
    return ImportOptions(site="S", tz="UTC", hints=ChannelHints(unit="kWh"))


def snapshot(ws) -> dict:
    cur = ws.cursor()
    counts = {t: cur.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}
    return {**counts, "meters": [m.name for m in ws.meters()], "sites": ws.sites()}


def test_the_hostile_corpus_is_large_and_covers_every_format():
    suffixes = {Path(name).suffixes[-1] for name, _, _ in HOSTILE}
    assert len(HOSTILE) >= 80 and {".csv", ".xml", ".epw", ".zip", ".gz"} <= suffixes


@pytest.mark.parametrize("name,content,words", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_file_gets_a_clear_error_and_changes_nothing(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with Workspace.create(tmp_path / "w.energize") as ws:
        ws.add_site(__import__("energize_desktop.core.model", fromlist=["Site"]).Site("S", "UTC"))
        before = snapshot(ws)
        outcome = ImportJob(ws, [path], _options())()  # a traceback would fail the test here
        assert not outcome.reports and not outcome.packages, f"{name} imported"
        [message] = outcome.errors
        assert str(path) in message, message
        for word in words:
            assert word in message, message
        assert snapshot(ws) == before


def _seeds() -> list[tuple[str, bytes]]:
    names = ["long_unit_quality.csv", "wide_units.csv", "nem12_sample.csv", "sample.epw",
             "decimal_comma.csv", "intervals_48.csv", "dst_autumn_repeated.csv"]
    seeds = [(n, (CORPUS / n).read_bytes()) for n in names]
    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "greenbutton_fixtures"
    gb = shared / "electric_containerized.xml"
    if gb.exists():
        seeds.append((gb.name, gb.read_bytes()))
    return seeds


SEEDS = _seeds()


@st.composite
def mutated(draw):
    name, data = draw(st.sampled_from(SEEDS))
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "delete"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if how == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif how == "cut":
            del data[at:]
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40)) or b","
        elif how == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 200))]
        else:
            del data[at:at + draw(st.integers(1, 50))]
    return name, bytes(data)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(case=mutated())
def test_mutated_real_files_import_cleanly_or_fail_cleanly(tmp_path_factory, case):
    name, data = case
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / name
    path.write_bytes(data)
    with Workspace.create(folder / "w.energize") as ws:
        before = snapshot(ws)
        outcome = ImportJob(ws, [path], _options())()
        if outcome.errors:
            assert snapshot(ws) == before and all(str(path) in e for e in outcome.errors)
        else:
            assert outcome.reports


def test_the_safety_net_names_the_file_for_an_unforeseen_failure(tmp_path, monkeypatch):
    from energize_desktop.imports import sniff

    def boom(*a, **k):
        raise ZeroDivisionError("a reader bug")

    monkeypatch.setattr(sniff, "_assign_roles", boom)
    path = tmp_path / "x.csv"
    shutil.copy(CORPUS / "long_unit_quality.csv", path)
    with Workspace.create(tmp_path / "w.energize") as ws:
        with pytest.raises(EnergizeError) as caught:
            from energize_desktop.jobs.importer import import_file

            import_file(ws, path, _options())
        assert str(path) in str(caught.value) and "ZeroDivisionError" in str(caught.value)
        assert ws.meters() == []
