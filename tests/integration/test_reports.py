"""Reports and exports on the demo building: the PDF's text is checked with pdftotext against the
analytics, page 1 rendered with pdftoppm must not be blank, names are escaped, sections without
data say so, and exports read back equal to the workspace's data."""

import json
import shutil
import subprocess
import zipfile

import numpy as np
import polars as pl
import pytest

from energize_desktop.cli import main

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
PERIOD = "2025-01-01..2025-07-01"


def pdf_text(path) -> str:
    """The PDF's text, NFKC-normalised: Qt's shaping stores ligatures (ﬃ) and Arabic
    presentation forms, which are the same letters."""
    import unicodedata

    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return unicodedata.normalize("NFKC", text)


def test_demo_report_pdf_has_every_section_numbers_and_units(demo_copy, tmp_path, capsys):
    out = tmp_path / "report.pdf"
    assert main(["report", "-w", str(demo_copy), "--period", PERIOD, "--author", "A. Auditor",
                 "--out", str(out)]) == 0
    assert "8 sections" in capsys.readouterr().out
    assert 10_000 < out.stat().st_size < 5_000_000
    text = pdf_text(out)
    for title in ("Executive summary", "Consumption breakdown", "Charts", "Anomalies and alerts",
                  "Baseline and savings", "Recommendations", "Data quality",
                  "Methodology and sources", "Contents", "A. Auditor", "Riverside Office"):
        assert title in text, title
    assert main(["kpis", "-w", str(demo_copy), "--period", PERIOD, "--json"]) == 0
    elec = json.loads(capsys.readouterr().out)[0]
    assert f"{elec['energy']:,.0f} kWh" in text  # the same number as energize kpis
    import unicodedata

    for unit in ("kWh/m²·yr", "kW", "kBtu/ft²·yr", "CV(RMSE)", "%"):
        assert unicodedata.normalize("NFKC", unit) in text, unit
    assert "Figure 4: Load-duration curve of electricity consumed (kW)" in text
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(out), str(png)],
                   check=True)
    from PySide6.QtGui import QImage

    image = QImage(str(next(tmp_path.glob("page*.png"))))
    dark = sum(1 for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)
               if image.pixelColor(x, y).lightness() < 128)
    assert dark > 50, "page 1 rendered blank"


def test_names_are_escaped_in_html_and_render_in_pdf(tmp_path, capsys):
    from energize_desktop.core.model import Meter, Site
    from energize_desktop.storage import Workspace

    name = 'Boiler <b>&"\'  عداد 🔥'
    path = tmp_path / "odd.energize"
    with Workspace.create(path) as ws:
        site = ws.add_site(Site("Site <script>alert(1)</script>", "UTC"))
        meter = ws.add_meter(Meter(name, "electricity", "kWh", "interval", site_id=site.id,
                                   interval_s=3600))
        ts = np.datetime64("2025-01-01T00:00", "us").astype(np.int64) + \
            np.arange(24 * 60, dtype=np.int64) * 3_600_000_000
        ws.writer().append({"meter_id": np.full(len(ts), meter.id, np.int32), "ts": ts,
                            "value": np.ones(len(ts))})
    html = tmp_path / "odd.html"
    assert main(["report", "-w", str(path), "--out", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Boiler &lt;b&gt;&amp;&quot;&#x27;" in text and "عداد 🔥" in text
    # sections without data say so instead of failing
    assert "no electricity tariff kept" in text and "no emission factors kept" in text
    pdf = tmp_path / "odd.pdf"
    assert main(["report", "-w", str(path), "--out", str(pdf), "--sections",
                 "summary,breakdown"]) == 0
    text = pdf_text(pdf)
    assert 'Boiler <b>&"\'' in text and "عداد" in text
    capsys.readouterr()
    assert main(["report", "-w", str(path), "--out", str(pdf), "--sections", "summary,x"]) == 1
    assert "report sections x: not known" in capsys.readouterr().err


def test_exports_read_back_equal(demo_copy, tmp_path):
    from energize_desktop.storage import Workspace

    csv_out, pq_out, xl_out = tmp_path / "h.csv", tmp_path / "h.parquet", tmp_path / "h.xlsx"
    for out in (csv_out, pq_out, xl_out):
        assert main(["export", "-w", str(demo_copy), "-m", "HVAC", "--resolution", "day",
                     "--out", str(out)]) == 0
    a, b = pl.read_csv(csv_out), pl.read_parquet(pq_out)
    assert a.height == b.height == 396 and a["value"].to_list() == pytest.approx(
        b["value"].to_list())
    with zipfile.ZipFile(xl_out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == 397  # header + 396 days
    package = tmp_path / "pk.zip"
    assert main(["export", "-w", str(demo_copy), "-m", "HVAC", "-m", "Gas boiler", "--out",
                 str(package)]) == 0
    target = tmp_path / "other.energize"
    assert main(["import", str(package), "-w", str(target)]) == 0
    with Workspace.open(demo_copy, read_only=True) as src, \
            Workspace.open(target, read_only=True) as dst:
        for name in ("HVAC", "Gas boiler"):
            x = src.queries.readings([src.meter(name).id])
            y = dst.queries.readings([dst.meter(name).id])
            assert x.height == y.height > 0
            assert (x["ts"] == y["ts"]).all() and np.allclose(x["value"], y["value"])
            assert dst.meter(name).unit == src.meter(name).unit
        assert dst.site(None).timezone == "Europe/London"
    anomalies = tmp_path / "an.csv"
    assert main(["detect", "-w", str(demo_copy), "--meter", "HVAC"]) == 0
    assert main(["export", "-w", str(demo_copy), "--what", "anomalies", "--out",
                 str(anomalies)]) == 0
    rows = pl.read_csv(anomalies)
    assert rows.height > 0 and "HVAC" in set(rows["meter"])
    assert {"start", "end", "kind", "severity", "explanation"} <= set(rows.columns)


def test_report_with_a_baseline_period_shows_savings_and_the_logo(demo_copy, tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
                    '<rect width="120" height="40" fill="#1f6fb2"/></svg>')
    html = tmp_path / "r.html"
    assert main(["report", "-w", str(demo_copy), "--period", "2025-06-01..2025-10-01",
                 "--baseline", "2024-10-01..2025-06-01", "--logo", str(logo), "--organisation",
                 "ACME & Sons", "--sections", "baseline,quality", "--out", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    assert "data:image/svg+xml;base64," in text and "ACME &amp; Sons" in text
    assert "avoided energy" in text and "fractional savings uncertainty" in text
    assert "Edited readings" in text and "Estimated readings" in text
    pdf = tmp_path / "r.pdf"
    assert main(["report", "-w", str(demo_copy), "--period", "2025-06-01..2025-10-01",
                 "--baseline", "2024-10-01..2025-06-01", "--logo", str(logo), "--sections",
                 "baseline", "--out", str(pdf)]) == 0
    assert "fractional savings uncertainty" in pdf_text(pdf)


def test_a_client_report_leaves_out_dismissed_alarms_and_cli_commands(demo_copy, tmp_path,
                                                                     capsys):
    """What the client reads: alarms summarised by meter and kind and the ten strongest, a
    dismissed one left out (and said), no `energize …` command in the text, and the PDF's
    title and author set."""
    import re

    from energize_desktop.analytics.settings import Dismissal
    from energize_desktop.jobs.detection import settings_for
    from energize_desktop.storage import Workspace
    from energize_desktop.storage.anomalies import AnomalyStore

    assert main(["detect", "-w", str(demo_copy)]) == 0
    capsys.readouterr()
    with Workspace.open(demo_copy) as ws:
        store = AnomalyStore(ws)
        events = store.events(None, None, None, min_severity="warning")
        gone = max((e for e in events if e["meter_id"] == ws.meter("HVAC").id),
                   key=lambda e: e["score"])
        settings = settings_for(ws, gone["meter_id"]).dismiss(Dismissal(
            gone["start_us"], gone["end_us"], gone["kind"], gone["score"], "commissioning"))
        store.set_settings_json(gone["meter_id"], settings.to_json())
    out = tmp_path / "client.pdf"
    assert main(["report", "-w", str(demo_copy), "--period", "2024-11-01..2025-11-01",
                 "--author", "A. Auditor", "--organisation", "Audit Ltd", "--out",
                 str(out)]) == 0
    text = " ".join(pdf_text(out).split())  # table cells wrap: compare words, not lines
    assert "by meter and kind" in text and "The ten largest, by energy at stake" in text
    assert "1 the user marked as not an anomaly are left out" in text
    words = " ".join(gone["explanation"].split(": ", 1)[-1].split()[:8])
    assert words not in text
    assert not re.search(r"\benergize (detect|report|baseline|kpis|tariff|carbon|import)\b",
                         text), "a CLI command in the client's text"
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Title:\s+.*Riverside Office", info)
    assert re.search(r"Author:\s+A\. Auditor, Audit Ltd", info)
    assert re.search(r"Subject:\s+Energy audit of Riverside Office, .*Executive summary", info)


def _pages(path, layout: bool = False) -> list[str]:
    """Each page's text, words joined by single spaces (pdftotext puts a form feed between);
    `layout` keeps each printed line whole (a row continued from the page before is then
    beside the header, not inside it)."""
    import unicodedata

    text = subprocess.run(["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    if layout:
        return ["\n".join(" ".join(line.split()) for line in page.splitlines())
                for page in unicodedata.normalize("NFKC", text).split("\f")]
    return [" ".join(unicodedata.normalize("NFKC", page).split()) for page in text.split("\f")]


def test_a_client_report_has_a_cover_a_one_page_summary_and_headers_on_every_page(
        demo_copy, tmp_path, capsys):
    """Cover alone on page 1, contents on page 2, the executive summary on page 3 alone (its
    top findings included), every page of the alarm tables headed by their column names, the
    alarms ranked by energy at stake (checked against the stored events), savings with
    their uncertainty in the summary."""
    import re

    from energize_desktop.storage import Workspace
    from energize_desktop.storage.anomalies import AnomalyStore

    assert main(["detect", "-w", str(demo_copy)]) == 0
    capsys.readouterr()
    out = tmp_path / "client.pdf"
    assert main(["report", "-w", str(demo_copy), "--period", "2025-01-01..2025-11-01",
                 "--baseline", "2024-01-01..2025-01-01", "--out", str(out)]) == 0
    pages = _pages(out)
    assert "Energy audit report" in pages[0] and "Contents" not in pages[0]
    assert pages[1].startswith("Contents")
    summary = pages[2]
    assert summary.startswith("1. Executive summary") and "Top findings" in summary
    assert re.search(r"Savings [\d,]+ kWh", summary)  # pdftotext reads the table by columns
    assert re.search(r"[+-][\d.]+ % of the adjusted baseline, ± [\d,]+ kWh at 90 % confidence",
                     summary), summary
    assert pages[3].startswith("2. Consumption breakdown"), "the summary spans two pages"
    # (?<!\d), not \b: pdftotext may run a table's last word into the footer ("Sunday9 / 15")
    assert all(re.search(rf"(?<!\d){n + 1} / {len(pages) - 1}\b", p) for n, p in
               enumerate(pages[:-1])), "every page numbered n / N"
    first = next(i for i, p in enumerate(pages) if p.startswith("4. Anomalies and alerts"))
    after = next(i for i, p in enumerate(pages) if p.startswith("5. Baseline and savings"))
    alarm_pages = [p for p in pages[first:after] if re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", p)]
    assert len(alarm_pages) >= 2
    lines = _pages(out, layout=True)
    for page in (lines[i] for i, p in enumerate(pages) if p in alarm_pages):
        # the header's cells on one printed line ("(local)" may wrap under "Starts")
        assert re.search(r"Meter Kind Severity Starts( \(local\))? At stake Explanation",
                         page), page[:300]
    with Workspace.open(demo_copy) as ws:
        events = AnomalyStore(ws).events(None, None, None, min_severity="warning")
    largest = max(events, key=lambda e: abs(e["stake"] or 0))
    ten = pages[first].split("The ten largest, by energy at stake", 1)[1]
    assert f"{abs(largest['stake']):,.1f} kWh" in ten.split(" Explanation ", 1)[1][:120]

