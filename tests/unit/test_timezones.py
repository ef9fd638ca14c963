"""Local calendars: offsets, local days and bucket starts, checked against zoneinfo."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energize_desktop.core.timezones import DAY_US, HOUR_US, US, calendar

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
         "Asia/Kathmandu", "Pacific/Chatham", "America/Sao_Paulo", "UTC"]
instants = st.integers(946_684_800, 2_208_988_800)  # 2000 .. 2040, seconds


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ZONES), st.lists(instants, min_size=1, max_size=20))
def test_offsets_and_local_days_match_zoneinfo(zone, seconds):
    ts = np.array(seconds, np.int64) * US
    cal = calendar(zone)
    offsets = cal.offsets(ts)
    for t, off, day in zip(seconds, offsets, cal.local_days(ts)):
        local = datetime.fromtimestamp(t, tz=timezone.utc).astimezone(ZoneInfo(zone))
        assert off == local.utcoffset().total_seconds() * US
        assert day == (local.date() - datetime(1970, 1, 1).date()).days


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(ZONES), st.integers(10_957, 25_567))
def test_day_start_is_local_midnight(zone, day):
    cal = calendar(zone)
    start = cal.day_start_utc(np.array([day]))
    assert cal.local_days(start)[0] == day
    assert cal.local_days(start - 1)[0] == day - 1


@pytest.mark.parametrize("zone, date, hours", [
    ("Europe/London", "2025-03-30", 23), ("Europe/London", "2025-10-26", 25),
    ("Europe/London", "2025-06-01", 24), ("Australia/Sydney", "2025-04-06", 25),
    ("America/New_York", "2025-03-09", 23), ("Asia/Kolkata", "2025-03-30", 24),
])
def test_day_lengths_follow_dst(zone, date, hours):
    day = np.datetime64(date, "D").astype(np.int64)
    assert calendar(zone).day_length_us(np.array([day]))[0] == hours * HOUR_US


def test_repeated_autumn_hour_gives_two_hour_buckets():
    cal = calendar("Europe/London")
    # 2025-10-26 00:30Z and 01:30Z are both 01:30 local (BST then GMT).
    ts = np.array([datetime(2025, 10, 26, 0, 30, tzinfo=timezone.utc).timestamp(),
                   datetime(2025, 10, 26, 1, 30, tzinfo=timezone.utc).timestamp()]) * US
    buckets = cal.floor(ts.astype(np.int64), HOUR_US)
    assert buckets[0] != buckets[1]


def test_half_hour_zone_hours_start_at_half_past_utc():
    cal = calendar("Asia/Kolkata")
    t = np.array([datetime(2025, 1, 1, 6, 0, tzinfo=timezone.utc).timestamp()]) * US
    start = cal.floor(t.astype(np.int64), HOUR_US)[0]
    assert datetime.fromtimestamp(start / US, tz=timezone.utc).minute == 30
    assert DAY_US == 24 * HOUR_US


def test_a_day_whose_midnight_is_skipped_starts_at_the_jump():
    """São Paulo sprang forward at 00:00 on 16 Oct 2011: that day began at 01:00 local,
    03:00 UTC (found by hypothesis; pinned here)."""
    cal = calendar("America/Sao_Paulo")
    start = cal.day_start_utc(np.array([15263]))
    assert int(start[0]) == int(np.datetime64("2011-10-16T03:00", "us").astype(np.int64))
    assert cal.day_length_us(np.array([15263]))[0] == 23 * 3600 * US
