"""Hostile input files, made on the fly: each a (name, bytes) with the words its error must hold.

Every one of them gave a traceback, a hang or a silent misread once. A reader must answer each
with a clear error (naming the file, and the line or field) and leave the workspace unchanged.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile

GB_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
           b'xmlns:espi="http://naesb.org/espi">\n')


def _gb(reading_type: str = "", block: str = "", tz: str = "") -> bytes:
    rt = reading_type or ("<espi:ReadingType><espi:commodity>1</espi:commodity>"
                          "<espi:flowDirection>1</espi:flowDirection>"
                          "<espi:intervalLength>3600</espi:intervalLength>"
                          "<espi:powerOfTenMultiplier>0</espi:powerOfTenMultiplier>"
                          "<espi:uom>72</espi:uom></espi:ReadingType>")
    blk = block or ("<espi:IntervalBlock><espi:interval><espi:duration>7200</espi:duration>"
                    "<espi:start>1700000000</espi:start></espi:interval>"
                    "<espi:IntervalReading><espi:timePeriod><espi:duration>3600</espi:duration>"
                    "<espi:start>1700000000</espi:start></espi:timePeriod>"
                    "<espi:value>100</espi:value></espi:IntervalReading></espi:IntervalBlock>")
    local = (f"<entry><content><espi:LocalTimeParameters>{tz}</espi:LocalTimeParameters>"
             "</content></entry>") if tz else ""
    return GB_HEAD + (local + f"<entry><content>{rt}</content></entry>"
                      f"<entry><content>{blk}</content></entry></feed>").encode()


def _gb_reading(start: str = "1700000000", value: str = "100", duration: str = "3600",
                multiplier: str = "0", uom: str = "72") -> bytes:
    rt = ("<espi:ReadingType><espi:commodity>1</espi:commodity><espi:flowDirection>1"
          f"</espi:flowDirection><espi:intervalLength>3600</espi:intervalLength>"
          f"<espi:powerOfTenMultiplier>{multiplier}</espi:powerOfTenMultiplier>"
          f"<espi:uom>{uom}</espi:uom></espi:ReadingType>")
    blk = ("<espi:IntervalBlock><espi:IntervalReading><espi:timePeriod>"
           f"<espi:duration>{duration}</espi:duration><espi:start>{start}</espi:start>"
           f"</espi:timePeriod><espi:value>{value}</espi:value></espi:IntervalReading>"
           "</espi:IntervalBlock>")
    return _gb(rt, blk)


def _csv_rows(n: int = 48, start: str = "2024-01-01") -> str:
    return "".join(f"{start} {h % 24:02d}:{(h // 24) * 0:02d},{h}\n" for h in range(min(n, 24)))


NEM12_HEAD = "100,NEM12,202401160000,MDP1,RETAILER\n200,NCDE001111,E1B1,1,E1,N1,METSER1,kWh,30,\n"


def _nem12_day(values: int = 48, date: str = "20240115") -> str:
    return f"300,{date}," + ",".join("0.1" for _ in range(values)) + ",A,,,20240116000000,\n"


EPW_HEAD = ("LOCATION,TESTVILLE,XX,USA,TMY3,999999,40.0,-105.0,-7.0,1600.0\n"
            "DESIGN CONDITIONS,0\nTYPICAL/EXTREME PERIODS,0\nGROUND TEMPERATURES,0\n"
            "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0\nCOMMENTS 1,test\nCOMMENTS 2,test\n"
            "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31\n")


def _epw_row(month: int = 1, day: int = 1, hour: int = 1, temp: str = "-4.5") -> str:
    return f"1999,{month},{day},{hour},60,A7A7,{temp},-10.0,50,80000\n"


def _package(manifest: dict | str, parquet: bytes | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", manifest if isinstance(manifest, str)
                   else json.dumps(manifest))
        if parquet is not None:
            z.writestr("readings.parquet", parquet)
    return out.getvalue()


def _parquet(**columns) -> bytes:
    import polars as pl

    out = io.BytesIO()
    pl.DataFrame(columns).write_parquet(out)
    return out.getvalue()


def _manifest(**changes) -> dict:
    m = {"format": "energize-data-package", "version": 1,
         "readings": {"file": "readings.parquet", "rows": 2},
         "sites": [{"id": 1, "name": "S", "timezone": "Europe/London"}],
         "meters": [{"id": 1, "site_id": 1, "parent_id": None, "name": "M",
                     "kind": "electricity", "unit": "kWh", "semantics": "interval",
                     "interval_s": 3600}]}
    m.update(changes)
    return m


GOOD_READINGS = dict(meter_id=[1, 1], ts=[1_700_000_000_000_000, 1_700_003_600_000_000],
                     value=[1.0, 2.0], quality=[0, 0])


def hostile_files() -> list[tuple[str, bytes, tuple[str, ...]]]:
    """(file name, content, words the error must contain)."""
    csv_ok = ("timestamp,kWh\n" + _csv_rows()).encode()
    files = [
        # compression
        ("garbage_tail.csv.gz", gzip.compress(csv_ok) + b"\x00garbage" * 10, ("gzip",)),
        ("gzipped.epw.gz", gzip.compress((EPW_HEAD + _epw_row(13)).encode()), ("month",)),
        ("truncated.csv.gz", gzip.compress(csv_ok)[:-30], ("gzip",)),
        ("not_really.gz", b"\x1f\x8b\x08\x00" + b"\xff" * 200, ("gzip",)),
        ("bomb.csv.gz", gzip.compress(b"timestamp,kWh\n" + b"0" * (100 << 20)),
         ("expands",)),
        # CSV
        ("one_long_line.csv", b"timestamp,kWh," + b"x" * (10 << 20), ("line 1",)),
        ("year_0001.csv", b"timestamp,kWh\n0001-01-01 00:00,1\n0001-01-01 01:00,2\n",
         ("0001",)),
        ("year_9999.csv", b"timestamp,kWh\n9999-12-31 22:00,1\n9999-12-31 23:00,2\n",
         ("9999",)),
        ("header_wider.csv", b"timestamp,kWh,extra\n2024-01-01 00:00,1\n2024-01-01 01:00,2\n",
         ("line 1", "header")),
        ("huge_values.csv", b"timestamp,kWh\n2024-01-01 00:00,1e308\n2024-01-01 01:00,-1e308\n",
         ("line 2", "1e+308")),
        ("inf_values.csv", b"timestamp,kWh\n2024-01-01 00:00,inf\n2024-01-01 01:00,1\n",
         ("numbers",)),
        ("nul_bytes.csv", b"timestamp,kWh\n2024-01-01 00:00,1\x00\x00\n", ("numbers",)),
        ("only_commas.csv", b",,,,\n,,,,\n,,,,\n", ("timestamps",)),
        ("binary.csv", bytes(range(256)) * 40, ("delimiter",)),
        ("epoch_huge.csv", b"ts,kWh\n" + b"".join(b"%d,1\n" % (10**17 + i) for i in range(20)),
         ("timestamp",)),
        # Green Button
        ("gb_multiplier_400.xml", _gb_reading(multiplier="400"), ("powerOfTenMultiplier",)),
        ("gb_uom_text.xml", _gb_reading(uom="kilowatt"), ("uom",)),
        ("gb_tzoffset_text.xml", _gb(tz="<espi:tzOffset>east</espi:tzOffset>"),
         ("tzOffset",)),
        ("gb_start_inf.xml", _gb_reading(start="inf"), ("start",)),
        ("gb_start_1e30.xml", _gb_reading(start="1e30"), ("start",)),
        ("gb_start_1e14.xml", _gb_reading(start="100000000000000"), ("start",)),
        ("gb_value_text.xml", _gb_reading(value="lots"), ("value",)),
        ("gb_duration_negative.xml", _gb_reading(duration="-3600"), ("duration",)),
        ("gb_truncated.xml", _gb_reading()[:-40], ("XML",)),
        # NEM12
        ("nem12_field_128k.csv", (NEM12_HEAD + "300,20240115," + "1" * (200 << 10)
                                  + "\n900\n").encode(), ("line 3",)),
        ("nem12_49_values.csv", (NEM12_HEAD + _nem12_day(49) + "900\n").encode(),
         ("line 3", "48")),
        ("nem12_no_900.csv", (NEM12_HEAD + _nem12_day()).encode(), ("900",)),
        ("nem12_bad_date.csv", (NEM12_HEAD + _nem12_day(date="20241345") + "900\n").encode(),
         ("line 3", "20241345")),
        ("nem12_interval_7.csv", (NEM12_HEAD.replace(",30,", ",7,") + _nem12_day()
                                  + "900\n").encode(), ("line 2", "interval")),
        # EPW
        ("month_13.epw", (EPW_HEAD + _epw_row(13)).encode(), ("line 9", "month")),
        ("cut_mid_line.epw", (EPW_HEAD + _epw_row() + "1999,1,1,2,60").encode(),
         ("line 10",)),
        ("temp_text.epw", (EPW_HEAD + _epw_row(temp="warm")).encode(), ("line 9",)),
        # data packages
        ("garbage_parquet.zip", _package(_manifest(), b"PAR1 not parquet"), ("readings",)),
        ("no_manifest.zip", _package("{}", _parquet(**GOOD_READINGS)), ("manifest",)),
        ("manifest_not_json.zip", _package("{{{", _parquet(**GOOD_READINGS)), ("manifest",)),
        ("manifest_lies_columns.zip", _package(_manifest(), _parquet(
            meter=[1, 1], when=[1, 2], v=[1.0, 2.0])), ("column",)),
        ("wrong_types.zip", _package(_manifest(), _parquet(
            meter_id=["a", "b"], ts=["x", "y"], value=["1", "2"], quality=[0, 0])),
         ("type",)),
        ("unknown_meter_id.zip", _package(_manifest(), _parquet(
            meter_id=[77, 77], ts=GOOD_READINGS["ts"], value=[1.0, 2.0], quality=[0, 0])),
         ("77",)),
        ("null_timestamps.zip", _package(_manifest(), _parquet(
            meter_id=[1, 1], ts=[None, 1], value=[1.0, 2.0], quality=[0, 0])), ("ts",)),
        ("bad_quality.zip", _package(_manifest(), _parquet(
            meter_id=[1, 1], ts=GOOD_READINGS["ts"], value=[1.0, 2.0], quality=[0, 250])),
         ("quality",)),
        ("bad_kind.zip", _package(_manifest(meters=[{**_manifest()["meters"][0],
                                                     "kind": "plutonium"}]),
                                  _parquet(**GOOD_READINGS)), ("kind",)),
        ("site_without_zone.zip", _package(_manifest(sites=[{"id": 1, "name": "S"}]),
                                           _parquet(**GOOD_READINGS)), ("timezone",)),
        ("version_text.zip", _package(_manifest(version="one"), _parquet(**GOOD_READINGS)),
         ("version",)),
        ("sites_not_list.zip", _package(_manifest(sites="S"), _parquet(**GOOD_READINGS)),
         ("sites",)),
        ("package_bomb.zip", _package(_manifest(), b"\x00" * (80 << 20)), ("expands",)),
        ("meters_not_list.zip", _package(_manifest(meters={"id": 1}), _parquet(**GOOD_READINGS)),
         ("meters",)),
        ("dangling_parent.zip", _package(_manifest(meters=[{**_manifest()["meters"][0],
                                                            "parent_id": 9}]),
                                         _parquet(**GOOD_READINGS)), ("parent_id", "9")),
        ("dangling_site.zip", _package(_manifest(meters=[{**_manifest()["meters"][0],
                                                          "site_id": 5}]),
                                       _parquet(**GOOD_READINGS)), ("site_id", "5")),
        ("newer_version.zip", _package(_manifest(version=99), _parquet(**GOOD_READINGS)),
         ("newer",)),
        ("readings_missing.zip", _package(_manifest()), ("damaged",)),
        ("ts_out_of_range.zip", _package(_manifest(), _parquet(
            meter_id=[1, 1], ts=[10**18, 10**18 + 1], value=[1.0, 2.0], quality=[0, 0])),
         ("1900-2200",)),
        ("bad_zone.zip", _package(_manifest(sites=[{"id": 1, "name": "S",
                                                    "timezone": "Mars/Olympus"}]),
                                  _parquet(**GOOD_READINGS)), ("Mars/Olympus",)),
        ("id_text.zip", _package(_manifest(sites=[{"id": "one", "name": "S",
                                                   "timezone": "UTC"}]),
                                 _parquet(**GOOD_READINGS)), ("id",)),
        ("manifest_nested.zip", _package("[" * 50_000 + "]" * 50_000,
                                         _parquet(**GOOD_READINGS)), ("manifest",)),
        # more CSV
        ("bom_only.csv", b"\xef\xbb\xbf", ("empty",)),
        ("header_only_bom.csv", b"\xef\xbb\xbftimestamp,kWh\n", ("no data",)),
        ("utf16_garbage.csv", b"\xff\xfe" + bytes(range(1, 255)) * 50, ("delimiter",)),
        ("all_text.csv", b"a,b\nc,d\ne,f\ng,h\n", ("timestamps",)),
        ("negative_year.csv", b"timestamp,kWh\n-2024-01-01 00:00,1\n-2024-01-01 01:00,2\n",
         ("timestamps",)),
        ("value_1e40.csv", b"timestamp,kWh\n2024-01-01 00:00,1e40\n2024-01-01 01:00,1\n",
         ("line 2", "not a measurement")),
        ("temperature_absurd.csv",
         "timestamp,Outdoor °C\n2024-01-01 00:00,-500\n2024-01-01 01:00,5\n".encode(),
         ("line 2", "not a measurement")),
        ("time_2300.csv", b"timestamp,kWh\n2300-01-01 00:00,1\n2300-01-01 01:00,2\n",
         ("2300",)),
        # more Green Button
        ("gb_no_blocks.xml", GB_HEAD + b"<entry><content><espi:ReadingType/></content></entry>"
         b"</feed>", ("IntervalBlock",)),
        ("gb_uom_999.xml", _gb_reading(uom="999"), ("uom 999",)),
        ("gb_multiplier_text.xml", _gb_reading(multiplier="ten"), ("powerOfTenMultiplier",)),
        ("gb_value_1e400.xml", _gb_reading(value="1e400"), ("not a measurement",)),
        ("gb_tzoffset_huge.xml", _gb(tz="<espi:tzOffset>999999999</espi:tzOffset>"),
         ("tzOffset",)),
        ("gb_entity_bomb.xml", b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
         b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><feed>&lol2;</feed>', ("refused",)),
        ("gb_not_xml.xml", b"<html><body>not a feed</body></html>", ("IntervalBlock",)),
        # more NEM12
        ("nem12_300_first.csv", ("100,NEM12,202401160000,MDP1,RETAILER\n" + _nem12_day()
                                 + "900\n").encode(), ("line 2", "before any 200")),
        ("nem12_unknown_record.csv", (NEM12_HEAD + "777,x\n900\n").encode(),
         ("line 3", "777")),
        ("nem12_bad_uom.csv", (NEM12_HEAD.replace(",kWh,", ",parsecs,") + _nem12_day()
                               + "900\n").encode(), ("line 2", "parsecs")),
        ("nem12_400_out_of_range.csv", (NEM12_HEAD + _nem12_day() + "400,40,60,A,,\n900\n")
         .encode(), ("line 4", "40")),
        ("nem12_value_text.csv", (NEM12_HEAD + _nem12_day().replace("0.1", "zero", 1)
                                  + "900\n").encode(), ("line 3", "zero")),
        ("nem12_after_900.csv", (NEM12_HEAD + _nem12_day() + "900\n" + _nem12_day())
         .encode(), ("line 5", "after the 900")),
        ("nem12_short_200.csv", ("100,NEM12,202401160000,MDP1,RETAILER\n200,NMI,E1\n900\n")
         .encode(), ("line 2", "9 fields")),
        # more weather
        ("hour_25.epw", (EPW_HEAD + _epw_row(hour=25)).encode(), ("line 9", "hour 25")),
        ("feb_30.epw", (EPW_HEAD + _epw_row(month=2, day=30)).encode(), ("line 9", "day 30")),
        ("epw_no_rows.epw", EPW_HEAD.encode(), ("no hourly rows",)),
        ("epw_short_location.epw", b"LOCATION,X\n" + EPW_HEAD.encode()[60:], ("line 1",)),
        ("epw_temp_missing_only.epw", (EPW_HEAD + _epw_row(temp="99.9")).encode(),
         ("no readings",)),  # 99.9 is EPW's "missing"
    ]
    return files
