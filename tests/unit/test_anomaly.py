"""Anomaly detection on series built to contain known faults: each detector finds its fault,
says why in numbers, and says plainly when there is not enough data."""

import json
import re

import numpy as np
import pytest

from energize_desktop.analytics.ensemble import detect
from energize_desktop.analytics.evaluation import score, score_flags
from energize_desktop.analytics.events import Kind, Severity
from energize_desktop.analytics.expectation import expect
from energize_desktop.analytics.series import on_grid
from energize_desktop.analytics.settings import DetectorSettings, Dismissal, Tuning
from energize_desktop.core.errors import ValidationError

HOUR_US = 3_600_000_000
MONDAY = np.datetime64("2025-01-06T00:00", "us").astype(np.int64)


def office(weeks=10, seed=3, step_s=3600):
    """kWh per step of an office: 20 kW at night, 60 kW 08-18 on working days, some noise."""
    rng = np.random.default_rng(seed)
    n = weeks * 7 * 86400 // step_s
    t = np.arange(n) * step_s
    hour, day = (t // 3600) % 24, t // 86400
    busy = (hour >= 8) & (hour < 18) & (day % 7 < 5)
    kw = np.where(busy, 60.0, 20.0) + rng.normal(0, 1.5, n)
    return MONDAY + t * 1_000_000, kw * step_s / 3600


def at(day, hour):
    return day * 24 + hour


def series(values, ts=None, step_s=3600, tz="UTC"):
    ts = office()[0] if ts is None else ts
    return on_grid("Main", "kWh", ts, values, step_s, tz)


def test_a_night_left_running_is_found_and_explained():
    ts, v = office()
    i = at(7 * 6 + 1, 2)  # week 7, Tuesday 02:00-05:00
    v[i:i + 3] = 55.0
    events = detect(series(v, ts)).alarms()
    hits = [e for e in events if e.start_us <= ts[i] < e.end_us]
    assert len(hits) == 1
    e = hits[0]
    assert e.kind is Kind.HIGH and e.severity is not Severity.INFO
    assert re.search(r"55.0 kW against a usual (19|20)\.\d kW", e.explanation)
    assert "MADs above the Tuesday-night profile" in e.explanation
    assert "Tue 18 Feb 2025 02:00–05:00" in e.explanation
    assert len(events) <= 2  # and the rest of ten quiet weeks stays quiet


def test_local_time_decides_the_profile():
    """The same building in New York: its 08:00 start is 13:00 UTC, and a quiet week is
    quiet in local time too."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    ts, v = office()
    zone = ZoneInfo("America/New_York")
    utc = np.array([int(datetime.fromtimestamp(t / 1e6, timezone.utc).replace(tzinfo=zone)
                        .timestamp() * 1e6) for t in ts], np.int64)
    keep = np.r_[True, np.diff(utc) > 0]  # the spring-forward hour does not exist
    assert detect(series(v[keep], utc[keep], tz="America/New_York")).alarms() == []


def test_data_quality_faults():
    ts, v = office()
    v[500:530] = 0.0  # an outage
    v[900:910] = 33.3  # a frozen gateway
    v[1200:1230] = np.nan  # a gap
    v[1400] = -5.0
    d = detect(series(v, ts))
    kinds = {e.kind for e in d.events}
    assert {Kind.ZERO, Kind.FLAT, Kind.GAP, Kind.NEGATIVE} <= kinds
    gap = next(e for e in d.events if e.kind is Kind.GAP)
    assert "no data for 30 h (a gap, not a zero)" in gap.explanation
    zero = next(e for e in d.events if e.kind is Kind.ZERO)
    assert zero.start_us == ts[500] and zero.end_us == ts[529] + HOUR_US
    # the outage neither becomes a separate "low" alarm nor drags next week's expectation
    assert not [e for e in d.events if e.kind is Kind.LOW]
    assert not [e for e in d.events if e.kind is Kind.HIGH and e.start_us >= ts[500 + 168]
                and e.start_us < ts[530 + 168]]


def test_counter_resets_and_clock_jumps():
    from energize_desktop.analytics.quality_checks import (
        counter_events,
        timestamp_events,
    )

    ts = MONDAY + np.arange(6) * 900_000_000
    raw = np.array([100.0, 101.0, 102.0, 3.0, 4.0, 5.0])
    (reset,) = counter_events("M", ts, raw)
    assert reset.kind is Kind.COUNTER_RESET and "102.0 to 3.0" in reset.explanation
    (wrap,) = counter_events("M", ts, np.array([99990.0, 99995, 99999, 2, 4, 6]),
                             rollover=100000)
    assert "wrapped" in wrap.explanation and wrap.severity is Severity.INFO
    jumpy = ts.copy()
    jumpy[3] = jumpy[2] - 60_000_000
    kinds = [e.explanation for e in timestamp_events("M", jumpy, 900)]
    assert any("went backwards" in k for k in kinds)


@pytest.mark.parametrize("values, reason", [
    (np.full(24 * 10, 5.0), "not enough data: 10.0 days"),
    (np.full(24 * 70, np.nan), "every value is missing"),
    (np.full(24 * 70, 5.0), "constant series: every value is 5 kWh"),
])
def test_bad_input_gives_a_reason_not_an_event(values, reason):
    ts = MONDAY + np.arange(len(values), dtype=np.int64) * HOUR_US
    d = detect(series(values, ts))
    assert reason in d.not_run["seasonal"]
    assert all(e.detector == "quality" for e in d.events)
    assert not [e for e in d.events if e.kind is Kind.FLAT]  # constant by nature, not stuck


def test_irregular_timestamps_land_on_the_grid():
    ts, v = office()
    keep = np.random.default_rng(1).random(len(ts)) > 0.1  # a tenth of the hours never came
    jitter = ts[keep] + 0  # stamps at the hour
    d = detect(series(v[keep], jitter))
    assert d.expectation is not None
    assert not [e for e in d.events if e.kind in (Kind.ZERO, Kind.LOW)]  # a gap is not a zero


def test_hot_days_are_expected_when_temperature_is_known():
    """Cooling load that follows outdoor temperature: a hot afternoon is not an anomaly."""
    ts, v = office()
    rng = np.random.default_rng(5)
    temp = 20 + rng.normal(0, 1.0, len(v))
    hot = (np.arange(len(v)) // 24) % 9 == 4  # every ninth day is a heat wave day
    temp[hot] += 10
    v = v + np.maximum(temp - 22, 0) * 3.0
    plain = detect(series(v, ts), tuning=Tuning(alarm_budget=100)).alarms()  # no budget
    s = series(v, ts).with_temperature(temp)
    aware = detect(s)
    assert len(plain) > 3  # without temperature the hot days look like waste
    assert len(aware.alarms()) <= 1
    # +10 °C on a 20 °C day is 8 °C over the 22 °C balance point: 24 kW, 2.4 kW per °C
    assert aware.expectation.temperature_slope[0] == pytest.approx(2.4, rel=0.15)


def test_sensitivity_suppression_and_dismissal():
    ts, v = office()
    i = at(7 * 6 + 1, 2)
    v[i:i + 3] = 30.0  # a moderate night excess
    s = series(v, ts)
    found = [e for e in detect(s).alarms() if e.start_us <= ts[i] < e.end_us]
    assert found
    assert not [e for e in detect(s, DetectorSettings(sensitivity=0.3)).alarms()
                if e.start_us <= ts[i] < e.end_us]
    window = DetectorSettings(suppressed=((int(ts[i - 5]), int(ts[i + 10]), "pump test"),))
    assert not [e for e in detect(s, window).events if e.start_us <= ts[i] < e.end_us]
    e = found[0]
    settings = DetectorSettings().dismiss(Dismissal(e.start_us, e.end_us, e.kind.value, e.score))
    assert not [x for x in detect(s, settings).events if x.overlaps(e.start_us, e.end_us)]
    # the dismissal raised this meter's threshold: a similar night a week later is quiet too
    v2 = v.copy()
    v2[i + 168:i + 171] = 30.0
    later = [x for x in detect(series(v2, ts), settings).alarms()
             if x.start_us <= ts[i + 168] < x.end_us]
    assert later == []


def test_settings_round_trip_as_plain_json_and_refuse_nonsense():
    s = DetectorSettings(1.5, frozenset({"patterns"}), ((1, 2, "audit"),),
                         (Dismissal(1, 2, "high", 1.3, "night cleaning"),), True, 9.0)
    text = s.to_json()
    assert json.loads(text)["dismissed"][0]["note"] == "night cleaning"
    assert DetectorSettings.from_json(text) == s
    with pytest.raises(ValidationError, match="sensitivity"):
        DetectorSettings(sensitivity=50)
    with pytest.raises(ValidationError, match="detectors"):
        DetectorSettings(disabled=frozenset({"magic"}))
    with pytest.raises(ValidationError, match="not valid detection settings"):
        DetectorSettings.from_json("{\"sensitivity\": \"x\"}")


def test_live_scoring_never_looks_ahead():
    ts, v = office()
    cut = len(v) - 48
    live_full = expect(series(v, ts), live=True).expected
    live_cut = expect(series(v[:cut], ts[:cut]), live=True).expected
    np.testing.assert_array_equal(live_full[:cut], live_cut)


def test_incremental_scoring_keeps_only_new_events():
    ts, v = office()
    v[100:103] = 80.0
    v[-30:-27] = 80.0
    s = series(v, ts)
    since = int(ts[-48])
    events = detect(s, live=True, since_us=since).alarms()
    assert events and all(e.end_us > since for e in events)


def test_fifteen_minute_steps_and_a_weekend_running_like_a_weekday():
    ts, v = office(step_s=900)
    sat = (7 * 5 + 5) * 96
    v[sat + 32:sat + 72] += 10.0  # 40 kW more through a Saturday's working hours
    events = detect(series(v, ts, step_s=900)).events
    assert any(e.kind is Kind.HIGH and e.start_us >= ts[sat] and e.end_us <= ts[sat + 96]
               for e in events)
    assert any(e.kind is Kind.WEEKEND for e in events)


def test_event_f1_counts_as_lead_does():
    labels = np.zeros(100, bool)
    labels[10:15] = labels[50:52] = True
    flagged = np.zeros(100, bool)
    flagged[14] = flagged[80] = True  # one labelled event touched, one false alarm
    s = score_flags(flagged, labels)
    assert (s.found, s.labelled, s.correct, s.alarms) == (1, 2, 1, 2)
    assert s.event_f1 == pytest.approx(0.5)
    assert score([(0, 100)], flagged, labels).event_f1 == pytest.approx(1.0)


def test_a_day_unlike_any_day_type_is_an_unusual_day():
    """A Wednesday run as a night shift (busy 20:00-06:00 instead of 08:00-18:00): every hour
    is within what some hour of the week sees, but the day matches no day type."""
    from energize_desktop.analytics import unusual_days

    ts, v = office()
    day = 7 * 6 + 2
    v[at(day, 0):at(day, 24)] = 20.0
    v[at(day, 0):at(day, 6)] = v[at(day, 20):at(day, 24)] = 60.0
    events, why = unusual_days.unusual_days(series(v, ts))
    assert why == "" and len(events) == 1
    e = events[0]
    assert e.kind is Kind.UNUSUAL_DAY and e.start_us == ts[at(day, 0)]
    assert "Wed 19 Feb 2025: a day unlike any of this meter's usual day types" in e.explanation
    assert re.search(r"largest difference at (0\d|2\d):00 \(60\.0 against \d\d\.\d kWh", e.explanation)
    # the ensemble reports the day (as a finding or an alarm) unless an alarm explains it
    found = detect(series(v, ts)).events
    assert any(x.overlaps(e.start_us, e.end_us) for x in found)
    short, why = unusual_days.unusual_days(series(v[:24 * 10], ts[:24 * 10]))
    assert short == [] and "10 complete days, day types need 21" in why


def test_day_types_are_found_and_stable():
    from energize_desktop.analytics import unusual_days

    ts, v = office()
    days, _ = unusual_days.day_matrix(series(v, ts))
    centres, label = unusual_days._best_kmeans(days / np.median(days.mean(axis=1)))
    assert len(centres) == 2  # working days and weekends
    weekday = np.arange(len(days)) % 7
    assert len(set(label[weekday < 5])) == 1 and len(set(label[weekday >= 5])) == 1
    again = unusual_days._best_kmeans(days / np.median(days.mean(axis=1)))[1]
    assert (again == label).all()


def test_the_isolation_forest_confirms_only_what_it_isolates():
    from energize_desktop.analytics.ensemble import _corroborate
    from energize_desktop.analytics.settings import Tuning

    ts, v = office()
    i = at(7 * 6 + 1, 2)
    v[i:i + 3] = 60.0  # a working-day level at night: the forest isolates it
    score = np.zeros(len(v))
    score[[i, i + 1, i + 2, i + 100]] = 0.8  # borderline everywhere, one ordinary hour
    out = _corroborate(series(v, ts), score, Tuning(corroborate=0.8))  # off by default
    assert (out[i:i + 3] == 1.0).all() and out[i + 100] == 0.8
    assert (_corroborate(series(v, ts), score, Tuning(corroborate=1.0)) == score).all()
