"""The `energize` command: a stable interface other tools script against."""

import json
import subprocess
import sys

import polars as pl
import pytest

from energize_desktop.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "energize_desktop", *map(str, args)],
                          capture_output=True, text=True)


def test_info_json_lists_meters_ranges_counts_and_gaps(demo_file, capsys):
    assert main(["info", "--workspace", str(demo_file), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    site = info["sites"][0]
    assert site["timezone"] == "Europe/London" and site["floor_area_m2"] == 4200
    meters = {m["name"]: m for m in site["meters"]}
    assert len(meters) == 10  # nine measured, one virtual
    main_meter = meters["Main incomer"]
    assert (main_meter["kind"], main_meter["unit"], main_meter["semantics"]) == \
        ("electricity", "kWh", "cumulative")
    assert main_meter["first"] == "2024-09-30T23:00:00Z"
    assert main_meter["gap_count"] == 1 and main_meter["gaps"][0]["hours"] == pytest.approx(6.25)
    assert meters["Outdoor temperature"]["readings"] > 37_000


def test_info_text_and_export_from_the_command_line(demo_file, tmp_path):
    done = run("info", "-w", demo_file)
    assert done.returncode == 0 and "Main incomer" in done.stdout and "cumulative" in done.stdout
    out = tmp_path / "main.csv"
    done = run("export", "-w", demo_file, "-m", "Main incomer", "--resolution", "month",
               "--out", out)
    assert done.returncode == 0, done.stderr
    frame = pl.read_csv(out)
    assert frame.height == 13 and (frame["unit"] == "kWh").all()
    assert (frame["value"] > 25_000).all()  # no month lost to the rollover or the reset


def test_errors_name_the_problem_and_exit_non_zero(tmp_path):
    missing = tmp_path / "nope.energize"
    done = run("info", "-w", missing)
    assert done.returncode == 1 and "nope.energize: no such file" in done.stderr
    done = run("export", "-w", missing, "--out", tmp_path / "x.txt")
    assert done.returncode == 1 and "cannot tell the format" in done.stderr
    assert run("export").returncode == 2


def test_demo_is_deterministic_for_a_seed(tmp_path, demo_file):
    out = tmp_path / "again.energize"
    assert main(["demo", "--out", str(out)]) == 0
    assert main(["demo", "--out", str(out)]) == 1  # refuses to overwrite without --force
    from energize_desktop.storage import Workspace

    with Workspace.open(out, read_only=True) as a, Workspace.open(demo_file, read_only=True) as b:
        for meter in a.meters():
            ra, rb = a.queries.readings([meter.id]), b.queries.readings([meter.id])
            assert ra.equals(rb), meter.name
        injected = json.loads(a.get_meta("demo_injected"))
    kinds = {e["kind"] for e in injected}
    assert {"spike", "stuck", "after-hours", "baseload-step", "counter-rollover",
            "counter-reset"} <= kinds


def test_connections_import_and_export_round_trip(tmp_path, capsys):
    from energize_desktop.live.sources_config import SourcesConfig
    from energize_desktop.storage import Workspace

    text = """
[[modbus]]
name = "Plant room"
transport = "tcp"
host = "192.168.1.50"
port = 502
timeout_s = 1.0

  [[modbus.devices]]
  name = "Main SDM630"
  unit_id = 1
  template = "eastron-sdm630"
  interval_s = 5.0
  timeout_s = 0.3

[[mqtt]]
name = "site broker"
host = "broker.local"
port = 8883
username = "logger"

  [[mqtt.subscriptions]]
  topic = "tele/+/SENSOR"
  format = "tasmota"
"""
    src = tmp_path / "in.toml"
    src.write_text(text)
    w = tmp_path / "w.energize"
    Workspace.create(w).close()
    assert main(["connections", "-w", str(w), "--import", str(src)]) == 0
    assert "1 Modbus bus(es) and 1 MQTT broker(s)" in capsys.readouterr().out
    out = tmp_path / "out.toml"
    assert main(["connections", "-w", str(w), "--export", str(out)]) == 0
    back = SourcesConfig.load(out)
    assert back == SourcesConfig.loads(text, "expected")
    assert back.modbus[0].devices[0].timeout_s == 0.3
    bad = tmp_path / "secret.toml"
    bad.write_text(text.replace('username = "logger"', 'username = "logger"\npassword = "x"'))
    assert main(["connections", "-w", str(w), "--import", str(bad)]) == 1
    assert "password" in capsys.readouterr().err
