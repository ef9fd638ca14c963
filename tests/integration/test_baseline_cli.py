"""`energize baseline` on the demo building: metrics, predictions CSV, savings as JSON, a kept
model re-applied with the same numbers, and clear errors."""

import csv
import json

from energize_desktop.cli import main


def test_fit_predict_and_write_predictions(demo_copy, tmp_path, capsys):
    out = tmp_path / "pred.csv"
    assert main(["baseline", "-w", str(demo_copy), "-m", "Main incomer", "--train",
                 "2024-10-01..2025-06-01", "--predict", "2025-06-01..2025-08-01",
                 "--out", str(out), "--save", "main"]) == 0
    text = capsys.readouterr().out
    assert "temperature from Outdoor temperature" in text
    assert "ASHRAE Guideline 14 (hourly)" in text and "avoided energy" in text
    with out.open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["timestamp", "actual", "predicted", "lower", "upper"]
    assert len(rows) == 61 * 24
    r = rows[100]
    assert float(r["lower"]) < float(r["predicted"]) < float(r["upper"])
    assert main(["baseline", "-w", str(demo_copy), "-m", "Main incomer", "--train",
                 "2024-10-01..2025-06-01", "--predict", "2025-06-01..2025-08-01",
                 "--json"]) == 0
    fitted = json.loads(capsys.readouterr().out)
    assert main(["baseline", "-w", str(demo_copy), "--use", "main", "--predict",
                 "2025-06-01..2025-08-01", "--json"]) == 0
    reused = json.loads(capsys.readouterr().out)
    assert reused["reporting"]["avoided"] == fitted["reporting"]["avoided"]
    stats = fitted["model"]["stats"]
    assert {"cvrmse", "nmbe", "r2", "meets_g14", "n", "p"} <= set(stats)
    unc = fitted["reporting"]["uncertainty"]
    assert unc["confidence"] == 0.9 and unc["absolute"] > 0


def test_daily_granularity_and_bad_input(demo_copy, capsys):
    assert main(["baseline", "-w", str(demo_copy), "-m", "HVAC", "--train",
                 "2024-10-01..2025-10-01", "--granularity", "daily", "--json"]) == 0
    model = json.loads(capsys.readouterr().out)["model"]
    assert model["granularity"] == "daily" and model["model"]["heating_bp"] is not None
    assert main(["baseline", "-w", str(demo_copy), "-m", "Outdoor temperature", "--train",
                 "2024-10-01..2025-06-01"]) == 1
    assert "a baseline needs an energy meter" in capsys.readouterr().err
    assert main(["baseline", "-w", str(demo_copy), "-m", "Main incomer", "--train",
                 "2025-06-01..2024-10-01"]) == 1
    assert "the end must be after the start" in capsys.readouterr().err
    assert main(["baseline", "-w", str(demo_copy), "--use", "nope", "--predict",
                 "2025-06-01..2025-08-01"]) == 1
    assert "baseline 'nope': not in this workspace" in capsys.readouterr().err
