"""`energize detect` on the demo workspace: events as text and JSON, kept in the workspace,
dismissals respected by the next run."""

import json

from energize_desktop.analytics.settings import DetectorSettings, Dismissal
from energize_desktop.cli import main
from energize_desktop.jobs import detection as detection_job
from energize_desktop.storage import Workspace
from energize_desktop.storage.anomalies import AnomalyStore


def test_detect_json_lists_explained_events(demo_copy, capsys):
    assert main(["detect", "-w", str(demo_copy), "--json"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert events, "the demo building has faults to find"
    for e in events:
        assert set(e) >= {"meter", "start", "end", "kind", "severity", "score", "explanation"}
        assert e["severity"] in ("warning", "critical") and e["start"] < e["end"]
    by_meter = {e["meter"] for e in events}
    assert "Outdoor temperature" not in {e["meter"] for e in events if e["kind"] == "high"}
    assert "Main incomer" in by_meter
    with Workspace.open(demo_copy, read_only=True) as ws:
        stored = AnomalyStore(ws).events(min_severity="warning")
    assert len(stored) == len(events)


def test_detect_text_names_meters_without_enough_data(demo_copy, capsys):
    assert main(["detect", "-w", str(demo_copy), "-m", "Main incomer",
                 "--from", "2025-06-01", "--to", "2025-06-10", "-q"]) == 0
    out = capsys.readouterr().out
    assert "Main incomer: not enough data: 9.0 days of readings" in out
    assert main(["detect", "-w", str(demo_copy), "-m", "No such meter"]) == 1


def test_a_dismissal_is_respected_by_the_next_run(demo_copy):
    with Workspace.open(demo_copy) as ws:
        meter = ws.meter("Main incomer")
        first = detection_job.run(ws, [meter]).events
        target = next(e for e in first if e.severity.value != "info")
        settings = DetectorSettings().dismiss(
            Dismissal(target.start_us, target.end_us, target.kind.value, target.score,
                      "known: commissioning test"))
        AnomalyStore(ws).set_settings_json(meter.id, settings.to_json())
        again = detection_job.run(ws, [meter]).events
        stored = AnomalyStore(ws).events([meter.id])
    assert not [e for e in again if e.kind == target.kind
                and e.overlaps(target.start_us, target.end_us)]
    assert len(stored) == len(again) < len(first)


def test_a_cancelled_run_keeps_what_it_finished(demo_copy):
    calls = []
    with Workspace.open(demo_copy) as ws:
        meters = ws.meters()
        result = detection_job.run(ws, meters, progress=lambda d, t, m: calls.append(d),
                                   cancelled=lambda: len(calls) >= 2)
    assert result.cancelled and result.meters_done == 2 and calls == [1, 2]
