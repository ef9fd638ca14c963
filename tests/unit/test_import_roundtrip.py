"""Property: a generated series written as CSV in any supported shape, delimiter, decimal mark,
date format and zone, then imported, equals the original."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from energize_desktop.imports.channels import ChannelHints
from energize_desktop.imports.csv_format import SniffQuestion
from energize_desktop.jobs.importer import ImportOptions, import_file
from energize_desktop.storage import Workspace

DATE_FORMATS = {"iso": "%Y-%m-%d %H:%M", "isoT": "%Y-%m-%dT%H:%M:%S", "dmy": "%d/%m/%Y %H:%M",
                "mdy": "%m/%d/%Y %H:%M", "epoch": None}


@st.composite
def cases(draw):
    shape = draw(st.sampled_from(["long", "wide", "intervals"]))
    step = draw(st.sampled_from([900, 1800, 3600]))
    days = draw(st.integers(2, 4))
    n = days * 86400 // step
    meters = draw(st.integers(1, 3))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    decimal = "." if delimiter == "," else draw(st.sampled_from([".", ","]))
    date_format = draw(st.sampled_from(sorted(DATE_FORMATS)))
    zone = draw(st.sampled_from(["UTC", "Europe/London", "America/New_York"]))
    if shape == "intervals":
        date_format = draw(st.sampled_from(["iso", "dmy", "mdy"]))
    start = datetime(2024, draw(st.sampled_from([1, 3, 10, 11])), 12 + draw(st.integers(0, 14)))
    seed = draw(st.integers(0, 2**16))
    values = np.round(np.random.default_rng(seed).uniform(0, 500, (meters, n)), 3)
    holes = draw(st.lists(st.tuples(st.integers(0, meters - 1), st.integers(0, n - 1)),
                          max_size=5))
    for m, i in holes:
        values[m, i] = np.nan  # a gap: an empty cell
    return dict(shape=shape, step=step, n=n, delimiter=delimiter, decimal=decimal,
                date_format=date_format, zone=zone, start=start, values=values)


def _instants(case):
    """UTC instants of the series: local midnight of the start day, then elapsed time."""
    local = case["start"].replace(tzinfo=ZoneInfo(case["zone"]))
    first = local.astimezone(timezone.utc)
    return [first + timedelta(seconds=i * case["step"]) for i in range(case["n"])]


def _stamp(case, t_utc):
    if case["date_format"] == "epoch":
        return str(int(t_utc.timestamp()))
    local = t_utc.astimezone(ZoneInfo(case["zone"])).replace(tzinfo=None)
    return local.strftime(DATE_FORMATS[case["date_format"]])


def _num(case, v):
    return "" if np.isnan(v) else f"{v:.3f}".replace(".", case["decimal"])


def _write(case, path):
    d, values, instants = case["delimiter"], case["values"], _instants(case)
    names = [f"M{m}" for m in range(len(values))]
    lines = []
    if case["shape"] == "long":
        lines.append(d.join(["timestamp", "meter", "value"]))
        for i, t in enumerate(instants):
            lines += [d.join([_stamp(case, t), names[m], _num(case, values[m, i])])
                      for m in range(len(values))]
    elif case["shape"] == "wide":
        lines.append(d.join(["timestamp", *names]))
        for i, t in enumerate(instants):
            lines.append(d.join([_stamp(case, t)] + [_num(case, values[m, i])
                                                     for m in range(len(values))]))
    else:
        per_day = 86400 // case["step"]
        lines.append(d.join(["date", "meter"] + [f"slot {k + 1}" for k in range(per_day)]))
        fmt = DATE_FORMATS[case["date_format"]].split(" ")[0]
        for m in range(len(values)):
            for day in range(case["n"] // per_day):
                date = (case["start"] + timedelta(days=day)).strftime(fmt)
                row = values[m, day * per_day:(day + 1) * per_day]
                lines.append(d.join([date, names[m]] + [_num(case, v) for v in row]))
    path.write_text("\n".join(lines) + "\n")


def _expected_instants(case):
    if case["shape"] != "intervals":
        return _instants(case)
    out, per_day = [], 86400 // case["step"]
    for day in range(case["n"] // per_day):
        local = (case["start"] + timedelta(days=day)).replace(tzinfo=ZoneInfo(case["zone"]))
        first = local.astimezone(timezone.utc)
        out += [first + timedelta(seconds=k * case["step"]) for k in range(per_day)]
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases())
def test_written_and_imported_series_equals_the_original(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("rt")
    path = folder / "series.csv"
    _write(case, path)
    date_order = {"dmy": "DMY", "mdy": "MDY"}.get(case["date_format"])
    opts = ImportOptions(site="S", tz=case["zone"], date_order=date_order,
                         hints=ChannelHints(unit="kWh", semantics="interval"))
    with Workspace.create(folder / "w.energize") as ws:
        try:
            import_file(ws, path, opts)
        except SniffQuestion as question:  # answered as a user would, then it must import
            assert question.field == "decimal" and case["delimiter"] == "\t"
            opts.decimal = case["decimal"]
            import_file(ws, path, opts)
        instants = _expected_instants(case)
        for m, series in enumerate(case["values"]):
            meter = ws.meter(f"M{m}") if len(case["values"]) > 1 or case["shape"] == "long" \
                else ws.meters()[0]
            rows = ws.cursor().execute(
                "SELECT epoch_us(ts), value FROM readings WHERE meter_id = ? ORDER BY ts",
                [meter.id]).fetchall()
            keep = ~np.isnan(series)
            want_ts = [int(t.timestamp()) * 1_000_000 for t, k in zip(instants, keep) if k]
            assert [r[0] for r in rows] == want_ts
            assert np.allclose([r[1] for r in rows], series[keep])
