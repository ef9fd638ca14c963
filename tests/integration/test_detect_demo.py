"""Detection on the demo, as a new user runs it: no alarm on a bank holiday for being a
holiday (a holiday is compared with the weekend profile and says so), every planted anomaly
found by its meter (or by its parent or a virtual meter over it), alarms within about one a
meter a month, generation and export checked for data only, results kept for the next open."""

from datetime import datetime
from zoneinfo import ZoneInfo

import holidays
import pytest

from energize_desktop.jobs.detection import run, stored_events
from energize_desktop.storage import Workspace
from energize_desktop.storage.metadata import DEMO_INJECTED

TZ = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def detected(tmp_path_factory, demo_file):
    import shutil

    path = tmp_path_factory.mktemp("det") / "demo.energize"
    shutil.copy2(demo_file, path)
    with Workspace.open(path) as ws:
        result = run(ws, ws.meters())
        injected = DEMO_INJECTED.get(ws)
        related = _related(ws)
        registers = {m.name for m in ws.meters() if m.semantics.value == "cumulative"}
    # a register's gap is bridged by the reading after it (its energy is counted): no gap
    injected = [i for i in injected if not (i["kind"] == "gap" and i["meter"] in registers)]
    return path, result, injected, related


def _related(ws) -> dict[str, set[str]]:
    """Meter → the meters that see what happens to it (itself, its parent, virtual meters
    with it or its parent as a term)."""
    import json

    by_id, by_uid = {m.id: m for m in ws.meters()}, {m.uid: m for m in ws.meters()}
    out = {}
    for m in ws.meters():
        seen = {m.name}
        if m.parent_id is not None:
            seen.add(by_id[m.parent_id].name)
        for v in ws.meters():
            if v.formula and {by_uid[t["uid"]].name for t in json.loads(v.formula)} & seen:
                seen.add(v.name)
        out[m.name] = seen
    return out


def _local(us):
    return datetime.fromtimestamp(us / 1e6, TZ)


def _explained_by(event, injected, related):
    for i in injected:
        a = datetime.fromisoformat(i["start"]).replace(tzinfo=TZ)
        b = datetime.fromisoformat(i["end"]).replace(tzinfo=TZ)
        if event.meter in related[i["meter"]] and _local(event.start_us) <= b and \
                _local(event.end_us) >= a:
            return True
    return False


def test_no_alarm_for_being_a_bank_holiday(detected):
    _path, result, _inj, _rel = detected
    bank = set(holidays.country_holidays("GB", subdiv="ENG", years=[2024, 2025]))
    on_holiday = [e for e in result.events if e.severity.value != "info"
                  and _local(e.start_us).date() in bank]
    for e in on_holiday:  # compared with weekends, never with the weekday it fell on
        assert "weekend profile (a holiday or closure)" in e.explanation, e.explanation
    assert len(on_holiday) <= 2


def test_every_planted_anomaly_is_found_and_most_alarms_are_planted(detected):
    _path, result, injected, related = detected
    alarms = [e for e in result.events if e.severity.value != "info"]
    # a rollover or reset is absorbed by the rollups (energy never negative), not an event
    planted = [i for i in injected if i["kind"] not in ("counter-rollover", "counter-reset")]
    for i in planted:
        a = datetime.fromisoformat(i["start"]).replace(tzinfo=TZ)
        b = datetime.fromisoformat(i["end"]).replace(tzinfo=TZ)
        assert any(e.meter == i["meter"] and _local(e.start_us) <= b and _local(e.end_us) >= a
                   for e in result.events), i
    explained = sum(_explained_by(e, injected, related) for e in alarms)
    # quoted in the closing note; the target there is all but two
    # the issue asks all but two; today all 24 are planted
    assert len(alarms) - explained <= 2, (explained, len(alarms))


def test_alarms_stay_within_about_one_a_meter_a_month(detected):
    _path, result, _inj, _rel = detected
    per_meter: dict[str, int] = {}
    for e in result.events:
        if e.severity.value != "info":
            per_meter[e.meter] = per_meter.get(e.meter, 0) + 1
    assert max(per_meter.values()) <= 14  # 13 months of data
    assert "Grid export" not in per_meter or all(
        e.detector == "quality" for e in result.events if e.meter == "Grid export")
    assert "generation follows the weather" in result.not_run["Rooftop PV"]["seasonal"]


def test_results_are_kept_for_the_next_open(detected):
    from energize_desktop import __version__
    from energize_desktop.jobs.detection import last_run

    path, result, _inj, _rel = detected
    with Workspace.open(path, read_only=True) as ws:
        kept = stored_events(ws)
        record = last_run(ws, ws.meter("HVAC"))
    assert record["version"] == __version__ and record["alarms"] >= 1
    assert record["constants"]["alarm_budget"] == 1.0 and "sensitivity" in record["settings"]
    assert len(kept) == len(result.events)
    assert {(e.meter, e.start_us, e.kind) for e in kept} == \
        {(e.meter, e.start_us, e.kind) for e in result.events}
