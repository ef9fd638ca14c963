"""Reading a workspace that `energize acquire` (another process, against a real Modbus server)
holds: the file itself cannot be opened, but `energize info`, `export` and `report` read the
logger's snapshot, and its feed gives what it commits after — nothing without its token, and
no sidecar left once it stops."""

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from energize_desktop.live.modbus_simulator import ModbusSimulator
from energize_desktop.live.read_api import LoggerClient, open_for_reading, sidecar
from energize_desktop.storage import Workspace
from energize_desktop.storage.errors import WorkspaceLocked
from tests.helpers import free_port


def _wait_for_line(proc, text: str) -> list[str]:
    """The logger's stdout up to a line containing `text` (it prints it once started)."""
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"the logger ended without {text!r}: {''.join(seen)}")


@contextmanager
def logged(tmp_path):
    """A workspace `energize acquire` (its own process) logs a real Modbus server into."""
    sim = ModbusSimulator(free_port()).start()
    config = tmp_path / "site.toml"
    config.write_text(sim.config().dump())
    path = tmp_path / "logged.energize"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "energize_desktop", "acquire", "-w", str(path),
                             "-c", str(config), "--duration", "300", "--status-every", "0.5"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        _wait_for_line(proc, "alert rules:")
        _wait_for_line(proc, "stored ")  # a status line: polls are being committed
        yield path, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
        sim.stop()


@pytest.fixture
def logging_workspace(tmp_path):
    with logged(tmp_path) as held:
        yield held


def test_a_logging_workspace_is_read_through_its_logger(logging_workspace, tmp_path):
    path, proc = logging_workspace
    with pytest.raises(WorkspaceLocked):
        Workspace.open(path, read_only=True)  # DuckDB: no other process may open the file
    assert oct(sidecar(path).stat().st_mode & 0o777) == "0o600"
    client = LoggerClient(path)
    assert client.url.startswith("http://127.0.0.1:")
    with pytest.raises(urllib.error.HTTPError) as refused:  # no token, no data
        urllib.request.urlopen(client.url + "/snapshot", timeout=5)
    assert refused.value.code == 403

    with open_for_reading(path) as ws:
        assert ws.read_only and ws.shown_as == path and ws.path != path
        copy = ws.path
        meters = [m for m in ws.meters() if m.source.get("device") == "Main SDM630"]
        counts = ws.queries.summaries()
        assert meters and sum(counts[m.id].count for m in meters if m.id in counts) > 0
    assert not copy.exists()  # the snapshot goes with the reader
    with pytest.raises(WorkspaceLocked):  # still held: copying it left the logger's lock alone
        Workspace.open(path, read_only=True)

    # the feed: what is committed after, in order, with the devices' states
    first = client.poll()
    assert first["sources"] and {s["name"] for s in first["sources"]} >= {"Main SDM630"}
    seq = first["seq"]
    later = client.poll(wait_s=20)  # a long poll: answered at the logger's next commit
    assert later["seq"] > seq and later["readings"]
    ids = {r[0] for r in later["readings"]}
    assert ids <= {m.id for m in meters} | set(range(1, 200))

    # the CLI (its own process, as a user runs it) reads it as if it were free, and says so
    def energize(*argv):
        done = subprocess.run([sys.executable, "-m", "energize_desktop", *argv], text=True,
                              capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done

    done = energize("info", "-w", str(path), "--json")
    info = json.loads(done.stdout)
    assert info["workspace"] == str(path) and "read from its snapshot" in done.stderr
    csv = tmp_path / "readings.csv"
    energize("export", "-w", str(path), "-o", str(csv))
    assert "Main SDM630" in csv.read_text()[:100_000]
    pdf = tmp_path / "live.pdf"
    energize("report", "-w", str(path), "-o", str(pdf))
    assert pdf.read_bytes()[:5] == b"%PDF-"

    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == 0 and not sidecar(path).exists()
    with Workspace.open(path, read_only=True) as ws:  # free again: the file itself
        assert Path(ws.path) == path
