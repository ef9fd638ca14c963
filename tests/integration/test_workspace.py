"""Opening, refusing and migrating workspace files: nothing is changed by a failed open."""

import hashlib
import shutil
import subprocess
import sys

import pytest

from energize_desktop.core.model import Meter, Site
from energize_desktop.storage import Workspace, WorkspaceError, schema
from energize_desktop.storage import workspace as workspace_module


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_create_then_reopen_keeps_sites_and_meters(tmp_path):
    path = tmp_path / "a.energize"
    with Workspace.create(path) as ws:
        site = ws.add_site(Site("HQ", timezone="Europe/Berlin", floor_area_m2=1200))
        ws.add_meter(Meter("Main", "electricity", "kWh", "cumulative", site_id=site.id,
                           source={"protocol": "modbus", "unit_id": 1}))
    with Workspace.open(path, read_only=True) as ws:
        assert [s.name for s in ws.sites()] == ["HQ"]
        meter = ws.meter("Main")
        assert meter.source == {"protocol": "modbus", "unit_id": 1}
        assert meter.uid and len(meter.uid) == 36
        assert ws.schema_version == schema.SCHEMA_VERSION


def test_create_refuses_to_overwrite(tmp_path):
    path = tmp_path / "a.energize"
    Workspace.create(path).close()
    with pytest.raises(WorkspaceError, match="already exists"):
        Workspace.create(path)


def test_a_file_that_is_not_a_workspace_is_refused_unchanged(tmp_path):
    path = tmp_path / "readings.energize"
    path.write_text("timestamp,value\n2025-01-01,1\n")
    before = digest(path)
    with pytest.raises(WorkspaceError, match="not an Energize workspace"):
        Workspace.open(path)
    assert digest(path) == before


def test_a_plain_duckdb_database_is_refused(tmp_path):
    import duckdb

    path = tmp_path / "other.duckdb"
    duckdb.connect(str(path)).execute("CREATE TABLE t (a INT)").close()
    with pytest.raises(WorkspaceError, match="not an Energize workspace"):
        Workspace.open(path)


def test_a_truncated_workspace_is_refused_unchanged(demo_copy):
    size = demo_copy.stat().st_size
    with open(demo_copy, "r+b") as fh:
        fh.truncate(size // 2)
    before = digest(demo_copy)
    with pytest.raises(WorkspaceError, match="damaged or truncated|damaged or unreadable"):
        Workspace.open(demo_copy)
    assert digest(demo_copy) == before


def test_a_newer_schema_is_refused_unchanged(tmp_path):
    path = tmp_path / "new.energize"
    with Workspace.create(path) as ws:
        ws.cursor().execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    before = digest(path)
    with pytest.raises(WorkspaceError, match="newer Energize.*schema version 99"):
        Workspace.open(path)
    assert digest(path) == before


NEXT = schema.SCHEMA_VERSION + 1


def test_an_older_schema_is_backed_up_then_migrated(tmp_path, monkeypatch):
    path = tmp_path / "old.energize"
    Workspace.create(path).close()
    original = digest(path)
    monkeypatch.setattr(workspace_module, "SCHEMA_VERSION", NEXT)
    monkeypatch.setitem(workspace_module.MIGRATIONS, NEXT,
                        ["ALTER TABLE sites ADD COLUMN notes VARCHAR"])
    with Workspace.open(path) as ws:
        assert ws.schema_version == NEXT
        columns = [r[0] for r in ws.cursor().execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'sites'"
        ).fetchall()]
        assert "notes" in columns
    backup = workspace_module.backup_path(path, NEXT - 1)
    assert digest(backup) == original


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "old.energize"
    with Workspace.create(path) as ws:
        ws.add_site(Site("HQ"))
    monkeypatch.setattr(workspace_module, "SCHEMA_VERSION", NEXT)
    monkeypatch.setitem(workspace_module.MIGRATIONS, NEXT, [
        "ALTER TABLE sites ADD COLUMN notes VARCHAR", "SELECT * FROM no_such_table"])
    with pytest.raises(WorkspaceError,
                       match=f"(?s)migration from schema {NEXT - 1} failed.*unchanged"):
        Workspace.open(path)
    monkeypatch.setattr(workspace_module, "SCHEMA_VERSION", NEXT - 1)
    with Workspace.open(path) as ws:
        assert ws.schema_version == NEXT - 1 and [s.name for s in ws.sites()] == ["HQ"]


def test_a_workspace_open_elsewhere_says_so(tmp_path):
    path = tmp_path / "busy.energize"
    with Workspace.create(path):
        code = ("import sys\nfrom energize_desktop.storage import Workspace, WorkspaceError\n"
                f"try:\n    Workspace.open({str(path)!r})\nexcept WorkspaceError as e:\n"
                "    print(e); sys.exit(3)\n")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 3
    assert "open in another Energize process" in done.stdout


def test_bad_meter_definitions_name_the_field(ws):
    from energize_desktop.core.errors import ValidationError

    site = ws.add_site(Site("HQ"))
    with pytest.raises(ValidationError, match="meter kind: 'nuclear' is not one of"):
        Meter("x", "nuclear", "kWh", "interval", site_id=site.id)
    with pytest.raises(ValidationError, match="interval meter needs an amount unit"):
        Meter("x", "electricity", "kW", "interval", site_id=site.id)
    with pytest.raises(ValidationError, match="time zone 'Mars/Olympus'"):
        Site("y", timezone="Mars/Olympus")
    ws.add_meter(Meter("Main", "electricity", "kWh", "interval", site_id=site.id))
    with pytest.raises(ValidationError, match="already exists"):
        ws.add_meter(Meter("Main", "electricity", "kWh", "interval", site_id=site.id))


def test_copy_of_workspace_is_self_contained(demo_copy, tmp_path):
    moved = tmp_path / "elsewhere" / "handed-over.energize"
    moved.parent.mkdir()
    shutil.move(demo_copy, moved)
    with Workspace.open(moved, read_only=True) as ws:
        assert len(ws.meters()) == 10
        assert ws.queries.rollup("month", [1]).height == 13


def test_a_workspace_shrunk_by_a_checkpoint_still_opens(demo_copy):
    """DuckDB truncates free blocks at the end of the file without lowering the block count
    in its header; that file is whole and must open (seen after repeated detection runs)."""
    from energize_desktop.jobs import detection as detection_job

    sizes = []
    for _ in range(3):
        with Workspace.open(demo_copy) as ws:
            detection_job.run(ws, ws.meters())
        sizes.append(demo_copy.stat().st_size)
        with Workspace.open(demo_copy) as ws:
            assert ws.schema_version == schema.SCHEMA_VERSION
    assert any(b < a for a, b in zip(sizes, sizes[1:]))  # the case guarded: it did shrink


def test_a_meter_added_after_a_rollup_query_can_be_written_at_once(demo_copy):
    """Regression: a rollup query right after a meter was added caught up the open state read
    *before* it grew, shrinking it again; the writer then indexed past its end and the live
    writer thread died (found starting acquisition from the window)."""
    import numpy as np

    from energize_desktop.core.model import Meter
    from energize_desktop.storage import Workspace

    with Workspace.open(demo_copy) as ws:
        ws.queries.rollup("hour", [1])
        writer = ws.writer()
        meter = ws.add_meter(Meter("new", "electricity", "kW", "instantaneous", site_id=1))
        ws.queries.rollup("hour", [1])  # grows the state for the new meter, and keeps it grown
        result = writer.append({"meter_id": np.array([meter.id], np.int32),
                                "ts": np.array([1_800_000_000_000_000], np.int64),
                                "value": np.array([4.2])})
        assert result.rows == 1
        assert ws.queries.rollup("hour", [meter.id])["mean"].to_list() == [4.2]
