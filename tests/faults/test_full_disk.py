"""A full disk: the import fails with an error that says so, nothing of it is stored, and the
workspace opens afterwards; a file whose size is not a whole number of blocks but which DuckDB
reads whole is a workspace, not "damaged"."""

import os
import subprocess

import numpy as np
import pytest

from energize_desktop.core.model import Site
from energize_desktop.imports.channels import ChannelHints
from energize_desktop.jobs.import_files import ImportJob
from energize_desktop.jobs.importer import ImportOptions
from energize_desktop.storage import Workspace


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB filesystem (tmpfs), where one can be made (root, mount allowed)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("a small filesystem needs root to mount one")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_fails_the_import_cleanly_and_the_workspace_opens(small_disk, tmp_path):
    data = tmp_path / "big.csv"
    stamps = np.datetime64("2020-01-01T00:00") + np.arange(600_000).astype("timedelta64[m]")
    data.write_text("timestamp,kWh\n" + "".join(f"{t},{i % 7}\n" for i, t in
                                                enumerate(stamps.astype(str))))
    path = small_disk / "site.energize"
    with Workspace.create(path) as ws:
        ws.add_site(Site("S", "UTC"))
    with Workspace.open(path) as ws:
        outcome = ImportJob(ws, [data], ImportOptions(site="S", hints=ChannelHints(
            unit="kWh", semantics="interval")))()
    [message] = outcome.errors
    assert str(data) in message and "disk holding the workspace is full" in message
    with Workspace.open(path) as ws:  # not "damaged or truncated"
        assert ws.meters() == []
        assert ws.cursor().execute("SELECT count(*) FROM readings").fetchall() == [(0,)]


def test_a_file_duckdb_reads_whole_is_not_refused_for_its_size(demo_copy):
    with open(demo_copy, "ab") as f:
        f.write(b"\0" * 100)  # no longer a whole number of blocks
    with Workspace.open(demo_copy, read_only=True) as ws:
        assert len(ws.meters()) == 10
