"""Errors name the field and the value; the CLI puts the flag before the message, the window the
label of its control. No layer below the CLI names a flag."""

import ast
import re
from pathlib import Path

import pytest

from energize_desktop.cli import build_parser
from energize_desktop.cli.common import error_text, flag_of
from energize_desktop.core.errors import ValidationError
from energize_desktop.core.periods import period

PACKAGE = Path(__file__).resolve().parents[2] / "energize_desktop"
FLAG = re.compile(r"--[a-z]")


def _raised_strings(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Raise) and node.exc is not None:
            for sub in ast.walk(node.exc):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    yield sub.lineno, sub.value


def test_no_layer_below_the_cli_raises_an_error_that_names_a_flag():
    offenders = [f"{p.relative_to(PACKAGE)}:{line}: {text!r}"
                 for p in PACKAGE.rglob("*.py") if "cli" not in p.parts
                 for line, text in _raised_strings(p) if FLAG.search(text)]
    assert offenders == []


def test_an_error_names_its_field_and_value():
    with pytest.raises(ValidationError) as caught:
        period("2025-06-01..2024-01-01", "Europe/London", "train")
    assert caught.value.field == "train" and "'2025-06-01..2024-01-01'" in str(caught.value)


def test_the_cli_leads_with_the_flag_of_the_field():
    parser = build_parser()
    baseline = next(a for a in parser._actions if a.dest == "command").choices["baseline"]
    imports = next(a for a in parser._actions if a.dest == "command").choices["import"]
    assert flag_of(imports, "date_order") == "--date-format"
    exc = ValidationError("'2025-13': expected FROM..TO", field="train")
    assert error_text(exc, baseline) == "--train: '2025-13': expected FROM..TO"
    assert error_text(ValidationError("no field"), baseline) == "no field"


def test_the_cli_prints_the_flag_for_a_bad_period(demo_file, capsys):
    from energize_desktop.cli import main

    code = main(["baseline", "-w", str(demo_file), "-m", "Main incomer",
                 "--train", "2025-06-01..2024-01-01"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip() == ("energize: error: --train: '2025-06-01..2024-01-01': the end must "
                           "be after the start")


def test_the_window_leads_with_the_label_of_the_control():
    from energize_desktop.ui.dialogs import error_text as window_text
    from energize_desktop.ui.page_jobs import BASELINE_LABELS, IMPORT_LABELS

    exc = ValidationError("'x': the end must be after the start", field="train")
    assert window_text(exc, BASELINE_LABELS) == "Baseline period: 'x': the end must be after " \
                                               "the start"
    assert window_text(ValidationError("?", field="decimal"), IMPORT_LABELS) == "Decimal mark: ?"
    assert window_text(ValidationError("plain"), IMPORT_LABELS) == "plain"
