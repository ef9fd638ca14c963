"""Names from strangers reach neither a terminal as escape codes nor a spreadsheet as a
formula."""

import polars as pl

from energize_desktop.core.text import printable, spreadsheet_safe
from energize_desktop.storage.export import guarded


def test_control_characters_are_shown_escaped():
    assert printable("Main\x1b[2J\x07 ok\n") == "Main\\x1b[2J\\x07 ok\n"
    assert printable("evil\u202egnp.exe") == "evil\\u202egnp.exe"
    assert printable("tab\tand\rreturn", keep="\n\t\r") == "tab\tand\rreturn"


def test_formula_cells_are_guarded_and_numbers_are_not():
    names = ["=cmd|' /C calc'!A0", "=HYPERLINK(\"x\")", "+SUM(1,2)", "@SUM(1)", "\tx", "Main"]
    frame = guarded(pl.DataFrame({"meter": names, "value": [-1.0, 2, 3, 4, 5, 6]}))
    assert frame["meter"].to_list() == ["'" + n for n in names[:5]] + ["Main"]
    assert frame["value"][0] == -1.0  # numeric columns untouched
    assert [spreadsheet_safe(n) for n in names] == frame["meter"].to_list()


def test_the_cli_escapes_what_a_file_named(tmp_path, capsys):
    from energize_desktop.cli import main

    data = tmp_path / "x.csv"
    data.write_text("timestamp,\x1b]0;pwned\x07Main [kWh]\n2025-01-01 00:00,1\n"
                    "2025-01-01 01:00,2\n")
    assert main(["import", str(data), "-w", str(tmp_path / "w.energize"), "--tz", "UTC"]) == 0
    assert main(["info", "-w", str(tmp_path / "w.energize")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b]0;pwned\\x07" in out
