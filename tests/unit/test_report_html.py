"""The report's HTML tables: figures right-aligned and kept on one line, prose left to wrap, the
header in <thead> (Qt repeats header rows on every page a table spans)."""

from energize_desktop.reports.html import _cell, _table
from energize_desktop.reports.model import Table


def test_figures_are_right_aligned_and_words_are_not():
    for figure in ("363,564 kWh", "63.6%", "GBP 1,200", "−4.2 °C", "12", "–"):
        assert "align='right'" in _cell(figure), figure
    for words in ("Main incomer", "sub-meter", "2025-01 heating", "HVAC"):
        assert "align" not in _cell(words), words
    assert _cell("2025-07-28 02:00") == "<td>2025-07-28&nbsp;02:00</td>"


def test_the_header_is_a_thead_and_names_are_escaped():
    html = _table(Table(("Meter", "Energy (kWh)"), (("<b>", "1 kWh"),), "cap"))
    assert "<thead><tr><th width='16%' nowrap>Meter</th><th>Energy (kWh)</th></tr></thead>" in html
    assert "<td>&lt;b&gt;</td>" in html
