"""Writes the import corpus in tests/data/corpus (run once; the files are committed).

Each file is small and awkward in one way; tests/integration/test_import_corpus.py holds what
each one must give.
"""

from pathlib import Path

OUT = Path(__file__).with_name("corpus")


def w(name: str, text: str, encoding: str = "utf-8") -> None:
    (OUT / name).write_bytes(text.encode(encoding))


def rows(start_h=0, n=8, step_min=15, fmt="2024-01-15 {h:02d}:{m:02d}", meter="Main", v0=1.0):
    out = []
    for i in range(n):
        t = start_h * 60 + i * step_min
        out.append(f"{fmt.format(h=t // 60, m=t % 60)},{meter},{v0 + i / 10:.2f}")
    return "\n".join(out) + "\n"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    w("empty.csv", "")
    w("header_only.csv", "timestamp,meter,value\n")
    w("truncated_line.csv", "timestamp,meter,value\n" + rows(n=4) + "2024-01-15 01:00,Ma")
    w("mixed_delimiters.csv", "timestamp,meter,value\n" + rows(n=4)
      + "2024-01-15 01:00;Main;1.5\n" + rows(start_h=2, n=3))
    w("text_in_numeric.csv", "timestamp,meter,value\n" + rows(n=3)
      + "2024-01-15 00:45,Main,twelve\n" + rows(start_h=1, n=3))
    w("null_tokens.csv", "timestamp,meter,value\n" + rows(n=3)
      + "2024-01-15 00:45,Main,N/A\n2024-01-15 01:00,Main,-\n" + rows(start_h=2, n=3))
    counter = [100.0, 100.5, 101.2, 101.9, 0.3, 0.9, 1.4, -2.0, 2.1, 2.8]
    w("negative_counter.csv", "timestamp,meter,value,unit\n" + "".join(
        f"2024-01-15 {i // 4:02d}:{i % 4 * 15:02d},Gas counter,{v},kWh\n"
        for i, v in enumerate(counter)))
    w("duplicated_identical.csv", "timestamp,meter,value\n" + rows(n=4)
      + "2024-01-15 00:15,Main,1.10\n2024-01-15 00:30,Main,1.20\n")
    w("duplicated_conflict.csv", "timestamp,meter,value\n" + rows(n=4)
      + "2024-01-15 00:15,Main,9.99\n")
    autumn = ["2024-10-27 00:00", "2024-10-27 00:30", "2024-10-27 01:00", "2024-10-27 01:30",
              "2024-10-27 01:00", "2024-10-27 01:30", "2024-10-27 02:00", "2024-10-27 02:30"]
    w("dst_autumn_repeated.csv", "timestamp,meter,value\n"
      + "".join(f"{t},Main,{1 + i / 10:.1f}\n" for i, t in enumerate(autumn)))
    w("dst_autumn_once.csv", "timestamp,meter,value\n" + "".join(
        f"2024-10-27 {h:02d}:00,Main,{h}\n" for h in range(0, 4)))
    w("dst_spring_nonexistent.csv", "timestamp,meter,value\n" + "".join(
        f"2024-03-31 {t},Main,1\n" for t in ("00:00", "00:30", "01:00", "01:30", "02:00")))
    w("dst_spring_ok.csv", "timestamp,meter,value\n" + "".join(
        f"2024-03-31 {t},Main,1\n" for t in ("00:00", "00:30", "02:00", "02:30", "03:00")))
    body = "timestamp,meter,value\n" + rows(n=6)
    w("utf16_bom.csv", "\ufeff" + body, "utf-16-le")
    w("utf16_no_bom.csv", body, "utf-16-le")
    w("utf8_bom.csv", "\ufeff" + body)
    w("cp1252_degrees.csv", "Zeit;Außentemperatur [°C]\n" + "".join(
        f"15.01.2024 {h:02d}:00;{-2 + h * 0.5:.1f}\n".replace(".", ",", 1).replace(",", ".", 1)
        .replace(f"{-2 + h * 0.5:.1f}", f"{-2 + h * 0.5:.1f}".replace(".", ","))
        for h in range(6)), "cp1252")
    w("decimal_comma.csv", "Zeitstempel;Hauptzähler [kWh]\n" + "".join(
        f"2024-01-15 {h:02d}:00;{h},{h * 25 % 100:02d}\n" for h in range(6)))
    w("thousands_comma.csv", 'timestamp,Main [kWh]\n' + "".join(
        f'2024-01-15 {h:02d}:00,"{1000 + h * 250:,}.5"\n' for h in range(6)))
    w("thousands_dot_decimal_comma.csv", "timestamp;Main [kWh]\n" + "".join(
        f"2024-01-15 {h:02d}:00;1.{h * 100:03d},5\n" for h in range(6)))
    w("ambiguous_decimal.csv", "timestamp\tMain [kWh]\n" + "".join(
        f"2024-01-15 {h:02d}:00\t1,{h * 100 + 100:03d}\n" for h in range(6)))
    w("semicolon_decimal_comma.csv", "timestamp;Main [kWh]\n" + "".join(
        f"2024-01-15 {h:02d}:00;1,{h * 100 + 100:03d}\n" for h in range(6)))
    w("preamble.csv", "Utility Export v2\nAccount: 12345\n\n" + body)
    w("dates_dmy.csv", "date,meter,value\n" + "".join(
        f"{d:02d}/01/2024 00:00,Main,{d}\n" for d in range(10, 16)))
    w("dates_mdy.csv", "date,meter,value\n" + "".join(
        f"01/{d:02d}/2024 00:00,Main,{d}\n" for d in range(10, 16)))
    w("dates_ambiguous.csv", "date,meter,value\n" + "".join(
        f"03/04/2024 {h:02d}:00,Main,{h}\n" for h in range(6)))
    w("epoch_seconds.csv", "unix_time,meter,value\n" + "".join(
        f"{1705276800 + i * 900},Main,{i}\n" for i in range(6)))
    w("epoch_ms.csv", "epoch,meter,value\n" + "".join(
        f"{(1705276800 + i * 900) * 1000},Main,{i}\n" for i in range(6)))
    w("interval_end_24h.csv", "interval end,meter,kWh\n" + "".join(
        f"2024-01-15 {h:02d}:00,Main,{h}\n" for h in range(1, 25)))
    w("wide_units.csv", "Time,Main [kWh],Chiller (kW),OAT [°C]\n" + "".join(
        f"2024-01-15 {h:02d}:00,{1 + h},{20 + h},{5 - h}\n" for h in range(6)))
    w("long_unit_quality.csv", "timestamp,meter,value,unit,quality\n" + "".join(
        f"2024-01-15 {h:02d}:00,Main,{h},kWh,{'E' if h == 2 else 'A'}\n" for h in range(6)))
    slots = ",".join(f"{(k * 30) // 60:02d}:{(k * 30) % 60:02d}" for k in range(48))
    w("intervals_48.csv", f"Date,{slots}\n" + "".join(
        f"2024-01-{d:02d}," + ",".join(f"{0.5 + k / 100:.2f}" for k in range(48)) + "\n"
        for d in range(15, 18)))
    w("intervals_short_day.csv", f"Date,{slots}\n"
      + "2024-03-31," + ",".join(f"{1 + k / 100:.2f}" for k in range(46)) + ",,\n")
    w("no_timestamp.csv", "meter,value\nMain,1\nMain,2\n")
    w("unknown_unit.csv", "timestamp,meter,value,unit\n2024-01-15 00:00,Main,1,bananas\n"
      "2024-01-15 01:00,Main,2,bananas\n")
    w("no_unit.csv", "timestamp,reading\n" + "".join(
        f"2024-01-15 {h:02d}:00,{h}\n" for h in range(6)))
    w("bad_timestamp_row.csv", "timestamp,meter,value\n" + rows(n=3)
      + "2024-13-45 00:00,Main,1\n")
    w("separate_date_time.csv", "Date,Time,kWh\n" + "".join(
        f"2024-01-15,{h:02d}:00,{h}\n" for h in range(6)))
    w("green_button_download.csv",
      "Name,ACME HOME\nAddress,1 Main St\nAccount Number,1234\nService,Service 1\n\n"
      "TYPE,DATE,START TIME,END TIME,USAGE,UNITS,COST,NOTES\n" + "".join(
          f"Electric usage,2024-01-15,{h:02d}:00,{h:02d}:59,{0.5 + h / 10:.2f},kWh,$0.{h:02d},\n"
          for h in range(6)))
    w("broken.xml", "<?xml version='1.0'?>\n<feed><entry><content>\n<IntervalBlock>\n</feed>\n")
    w("entity_bomb.xml", '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
      '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
      "<feed><title>&lol2;</title></feed>\n")
    nem = ["100,NEM12,202401160000,MDP1,RETAILER",
           "200,NCDE001111,E1B1,1,E1,N1,METSER1,kWh,30,20240201",
           "300,20240115," + ",".join(f"{0.1 + k / 100:.3f}" for k in range(48))
           + ",A,,,20240116000000,",
           "300,20240116," + ",".join(f"{0.2 + k / 100:.3f}" for k in range(48))
           + ",V,,,20240117000000,",
           "400,1,10,E52,,", "400,11,48,A,,",
           "900"]
    w("nem12_sample.csv", "\n".join(nem) + "\n")
    w("nem12_short_row.csv", "\n".join(nem[:2] + ["300,20240115,0.1,0.2,A"] + ["900"]) + "\n")
    epw = ["LOCATION,TESTVILLE,XX,USA,TMY3,999999,40.0,-105.0,-7.0,1600.0",
           "DESIGN CONDITIONS,0", "TYPICAL/EXTREME PERIODS,0", "GROUND TEMPERATURES,0",
           "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0", "COMMENTS 1,test", "COMMENTS 2,test",
           "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31"]
    epw += [f"1999,1,1,{h},60,A7A7,{-5 + h * 0.5:.1f},-10.0,50,80000" for h in range(1, 25)]
    w("sample.epw", "\n".join(epw) + "\n")


if __name__ == "__main__":
    main()
