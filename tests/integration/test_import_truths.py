"""Issue 22's remaining mechanisms, on files of our own making (other names, languages,
delimiters than the real exports): a unit anywhere in a header, bills with one date each,
every Green Button UsageSummary a bill, the columns a preview will not import, the file's own
clock changes checked against the zone, and the repeated-hour export bug offered a repair.
Each figure is checked against what the file says, computed here without the product."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from energize_desktop.imports.bills import read_bills
from energize_desktop.imports.csv_format import ImportFormatError, unit_from_header
from energize_desktop.jobs.importer import ImportOptions, import_file
from energize_desktop.storage.imports import ImportConflictError

EXPORTS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "utility_exports"
US = 1_000_000


@pytest.mark.parametrize("header, name, unit", [
    ("Active energy Wh (A)", "Active energy (A)", "Wh"),  # (A) is the phase, not amperes
    ("Wirkenergie kWh Bezug", "Wirkenergie Bezug", "kWh"),
    ("Energie [kWh] Tarif 1", "Energie Tarif 1", "kWh"),
    ("Verbruik m3 (uur)", "Verbruik (uur)", "m³"),
    ("Puissance (W) phase 2", "Puissance phase 2", "W"),
    ("Current (A)", "Current", "A"),  # alone, (A) is amperes
    ("Main [kWh]", "Main", "kWh"),
    ("usage_kwh", "usage", "kWh"),
    ("Power W L1", "Power W L1", None),  # a bare single letter is not taken
    ("Reading", "Reading", None),
])
def test_a_unit_is_found_wherever_the_header_writes_it(header, name, unit):
    assert unit_from_header(header) == (name, unit)


def test_phase_columns_keep_their_unit_and_every_column_is_listed(ws, tmp_path):
    path = tmp_path / "gateway.csv"
    path.write_text("Zeitstempel;Gerät;Wirkenergie Wh (A);Wirkenergie Wh (B);Kommentar;Leer\n"
                    "2025-01-01 00:00;HQ;10;20;ok;\n2025-01-01 00:15;HQ;11;21;ok;\n"
                    "2025-01-01 00:30;HQ;12;22;spät;\n2025-01-01 00:45;HQ;13;23;ok;\n",
                    encoding="utf-8")
    report = import_file(ws, path, ImportOptions(dry_run=True, tz="UTC"))
    units = {c.name: (c.unit, c.total) for c in report.channels.values()}
    assert units == {"HQ – Wirkenergie (A)": ("Wh", 46.0), "HQ – Wirkenergie (B)": ("Wh", 86.0)}
    assert set(report.skipped) == {"Kommentar", "Leer"}
    assert "text" in report.skipped["Kommentar"] and "empty" in report.skipped["Leer"]
    text = report.text()
    assert "not imported: 'Kommentar': text (e.g. 'ok'), not numbers" in text
    assert {"column": "Leer", "why": report.skipped["Leer"]} in report.to_dict()["not_imported"]


def _utc(d, zone):
    return int(datetime(d.year, d.month, d.day, tzinfo=ZoneInfo(zone)).timestamp() * US)


def test_bills_with_one_date_each_run_from_the_bill_before(tmp_path):
    path = tmp_path / "bills.csv"
    path.write_text("Bill Date,Billed Days,Usage (kWh),Amount Due\n"
                    "03/15/2025,28,1200,$180.50\n02/15/2025,31,1300,190.00\n"
                    "01/15/2025,,1400,200\n", encoding="utf-8")
    notes: list[str] = []
    bills = read_bills(path, "America/New_York", notes)
    zone = "America/New_York"
    from datetime import date
    assert [(b["start_us"], b["end_us"], b["amount"], b["cost"]) for b in bills] == [
        (_utc(date(2025, 1, 15), zone), _utc(date(2025, 2, 15), zone), 1300.0, 190.0),
        (_utc(date(2025, 2, 15), zone), _utc(date(2025, 3, 15), zone), 1200.0, 180.5)]
    assert any("line 4" in n and "left out" in n for n in notes)  # the first has no start


def test_bill_dates_without_days_and_a_date_given_twice(tmp_path):
    from datetime import date
    path = tmp_path / "statements.csv"
    path.write_text("Statement date,m3,cost\n2025-01-10,100,20\n2025-02-12,110,22\n"
                    "2025-03-11,90,18\n", encoding="utf-8")
    bills = read_bills(path, "UTC", [])
    assert [(b["start_us"], b["amount"], b["unit"]) for b in bills] == [
        (_utc(date(2025, 1, 10), "UTC"), 110.0, "m³"), (_utc(date(2025, 2, 12), "UTC"), 90.0,
                                                         "m³")]
    path.write_text("Statement date,kWh\n2025-01-10,1\n2025-01-10,2\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="lines 2 and 3: two bills dated 2025-01-10"):
        read_bills(path, "UTC", [])


@pytest.mark.skipif(not EXPORTS.exists(), reason="the shared utility exports are not here")
def test_every_usage_summary_of_a_green_button_feed_is_a_bill():
    path = EXPORTS / "greenbutton" / "EGD_Gas_EnergyUsage_20221225_20241225.xml"
    bills = read_bills(path, "UTC")
    assert len(bills) == 24  # the README: 24 UsageSummary entries, every one a bill
    first = min(bills, key=lambda b: b["start_us"])
    # by hand from the file: start 1670025600, duration 2851200 s, 47000 × 10^-3 m³,
    # billLastPeriod 64170 with the feed's own "Amount Due" detail at 10^-3 CAD
    assert first["start_us"] == 1670025600 * US
    assert first["end_us"] - first["start_us"] == 2851200 * US
    assert (first["amount"], first["unit"], first["cost"], first["currency"]) == \
        (47.0, "m³", 64.17, "CAD")


def test_a_usage_summary_without_cost_details_is_in_hundred_thousandths(tmp_path):
    path = tmp_path / "summary.xml"
    path.write_text("""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:espi="http://naesb.org/espi">
 <entry><link rel="self" href="/UP/1"/><title>Shop</title>
  <content><espi:UsagePoint><espi:ServiceCategory><espi:kind>0</espi:kind>
  </espi:ServiceCategory></espi:UsagePoint></content></entry>
 <entry><link rel="self" href="/UP/1/MR/1"/><link rel="up" href="/UP/1/MR"/>
  <link rel="related" href="/RT/1"/><content><espi:MeterReading/></content></entry>
 <entry><link rel="self" href="/RT/1"/><content><espi:ReadingType><espi:uom>72</espi:uom>
  <espi:powerOfTenMultiplier>0</espi:powerOfTenMultiplier>
  <espi:intervalLength>3600</espi:intervalLength></espi:ReadingType></content></entry>
 <entry><link rel="self" href="/UP/1/MR/1/IB/1"/><link rel="up" href="/UP/1/MR/1/IB"/>
  <content><espi:IntervalBlock><espi:IntervalReading><espi:timePeriod>
  <espi:duration>3600</espi:duration><espi:start>1735689600</espi:start></espi:timePeriod>
  <espi:value>1500</espi:value></espi:IntervalReading></espi:IntervalBlock></content></entry>
 <entry><link rel="self" href="/UP/1/US/1"/><link rel="up" href="/UP/1/US"/>
  <content><espi:UsageSummary><espi:billingPeriod><espi:duration>2678400</espi:duration>
  <espi:start>1735689600</espi:start></espi:billingPeriod>
  <espi:billLastPeriod>12345000</espi:billLastPeriod><espi:currency>840</espi:currency>
  <espi:overallConsumptionLastPeriod><espi:powerOfTenMultiplier>3</espi:powerOfTenMultiplier>
  <espi:uom>72</espi:uom><espi:value>420</espi:value></espi:overallConsumptionLastPeriod>
  </espi:UsageSummary></content></entry>
</feed>""", encoding="utf-8")
    [bill] = read_bills(path, "UTC")
    # 420 × 10^3 Wh = 420 kWh; 12,345,000 × 10^-5 USD = 123.45 USD
    assert (bill["amount"], bill["unit"], bill["cost"], bill["currency"]) == \
        (420.0, "kWh", 123.45, "USD")


def _local_file(path: Path, zone: str, days: list[tuple[int, int, int]], header: str) -> float:
    """15-minute readings for the given UTC days, stamped in `zone`'s local time (naive)."""
    z, lines, total = ZoneInfo(zone), [header], 0.0
    for y, m, d in days:
        t = datetime(y, m, d, tzinfo=timezone.utc)
        for i in range(96 * 2):
            stamp = (t + timedelta(minutes=15 * i)).astimezone(z).replace(tzinfo=None)
            lines.append(f"{stamp:%d.%m.%Y %H:%M};{1 + i % 4},5")
            total += 1 + i % 4 + 0.5
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return total


def test_a_files_own_clock_changes_are_checked_against_the_zone(ws, tmp_path):
    path = tmp_path / "verbruik.csv"
    total = _local_file(path, "Europe/Amsterdam", [(2025, 3, 29), (2025, 10, 25)],
                        "Datum;Verbruik kWh")
    as_utc = import_file(ws, path, ImportOptions(dry_run=True, tz="UTC"))
    [mismatch] = [d for d in as_utc.dst if "does not do" in d]
    assert "2025-10-26 02:00" in mismatch and "2025-03-30 01:45" in mismatch
    assert "Europe/Amsterdam would fit" in mismatch and "Europe/London" not in mismatch
    right = import_file(ws, path, ImportOptions(dry_run=True, tz="Europe/Amsterdam"))
    assert not [d for d in right.dst if "does not do" in d]
    assert sum(c.total for c in right.channels.values()) == pytest.approx(total)
    with pytest.raises(ImportFormatError, match="clock changes are those of Europe/Amsterdam"):
        import_file(ws, path, ImportOptions(dry_run=True, tz="Europe/London"))


def test_a_southern_hemisphere_file_read_in_the_wrong_zone_is_named(ws, tmp_path):
    path = tmp_path / "nmi.csv"
    _local_file(path, "Australia/Sydney", [(2025, 4, 5), (2025, 10, 4)], "Date;kWh")
    report = import_file(ws, path, ImportOptions(dry_run=True, tz="Asia/Tokyo"))
    [mismatch] = [d for d in report.dst if "does not do" in d]
    assert "Australia/Sydney" in mismatch


def _bug_file(path: Path, with_room: bool = True) -> float:
    """Hourly UTC stamps over New York's 2025 fall-back, the 01:00 EDT reading stamped with
    01:00 EST's UTC time (06:00Z) and 05:00Z left empty: the known export bug."""
    t, rows = datetime(2025, 11, 1, tzinfo=timezone.utc), []
    while t < datetime(2025, 11, 4, tzinfo=timezone.utc):
        rows.append((t, round(1 + (t.hour % 5) * 0.1, 3)))
        t += timedelta(hours=1)
    five, six = (datetime(2025, 11, 2, h, tzinfo=timezone.utc) for h in (5, 6))
    if with_room:
        rows = [r for r in rows if r[0] != five]
    rows.insert(next(i for i, r in enumerate(rows) if r[0] == six), (six, 9.9))
    path.write_text("Interval start (UTC),Delivered kWh\n" + "".join(
        f"{r[0]:%Y-%m-%dT%H:%M:%SZ},{r[1]}\n" for r in rows), encoding="utf-8")
    return sum(r[1] for r in rows)


def test_the_repeated_hour_export_bug_is_named_and_can_be_shifted(ws, tmp_path):
    path = tmp_path / "feed.csv"
    total = _bug_file(path)
    with pytest.raises(ImportConflictError, match="when the clocks go back in America/New_York"
                       ) as caught:
        import_file(ws, path, ImportOptions(tz="America/New_York", site="NY"))
    assert caught.value.field == "repeated_hour"
    assert ws.sites() == []  # nothing stored, not even the site
    report = import_file(ws, path, ImportOptions(tz="America/New_York", site="NY",
                                                 repeated_hour="shift"))
    [stats] = report.channels.values()
    assert stats.rows == 72 and stats.gaps == 0  # three whole days, the hole filled
    assert stats.total == pytest.approx(total)  # nothing lost, nothing doubled
    assert any("moved to the empty hour" in n for n in report.notes)


def test_a_pair_with_no_empty_hour_beside_it_is_a_plain_conflict(ws, tmp_path):
    path = tmp_path / "feed.csv"
    _bug_file(path, with_room=False)
    with pytest.raises(ImportConflictError) as caught:
        import_file(ws, path, ImportOptions(tz="America/New_York", site="NY",
                                            repeated_hour="shift"))
    assert caught.value.field == "on_conflict"
