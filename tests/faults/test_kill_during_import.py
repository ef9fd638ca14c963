"""SIGKILL in the middle of a large import: the workspace opens afterwards and holds nothing of
the file (its transaction never committed), and the same file imports whole on the next try."""

import signal
import subprocess
import sys

import numpy as np

from energize_desktop.cli import main
from energize_desktop.storage import Workspace


def test_a_killed_import_leaves_nothing_half_written(tmp_path):
    data = tmp_path / "big.csv"
    stamps = np.datetime64("2020-01-01T00:00") + np.arange(1_500_000).astype("timedelta64[m]")
    data.write_text("timestamp,kWh\n" + "".join(f"{t},{i % 9}\n" for i, t in
                                                enumerate(stamps.astype(str))))
    path = tmp_path / "w.energize"
    assert main(["import", str(data), "-w", str(path), "--tz", "UTC", "--unit", "kWh",
                 "--semantics", "interval", "--dry-run"]) == 0  # creates the workspace only
    child = subprocess.Popen([sys.executable, "-m", "energize_desktop", "import", str(data),
                              "-w", str(path), "--tz", "UTC", "--semantics", "interval",
                              "--progress", "lines"], stderr=subprocess.PIPE, text=True)
    for line in child.stderr:  # killed once it reports reading, well before its commit
        if "readings read" in line:
            break
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    with Workspace.open(path) as ws:
        assert ws.cursor().execute("SELECT count(*) FROM readings").fetchall() == [(0,)]
        assert ws.meters() == []
    assert main(["import", str(data), "-w", str(path), "--tz", "UTC", "--semantics",
                 "interval"]) == 0
    with Workspace.open(path, read_only=True) as ws:
        assert ws.cursor().execute("SELECT count(*) FROM readings").fetchall() == \
            [(1_500_000,)]
