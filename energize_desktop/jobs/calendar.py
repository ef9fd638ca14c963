"""A site's working calendar: its public holidays (country and subdivision, from the `holidays`
package) and its own closure days. Whatever asks "is this a working day" — a tariff without
holidays of its own, the KPIs' weekend/after-hours split, detection's expected day — asks this.
Days are local day numbers (days since 1970-01-01, analytics.local_time.day_number)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from energize_desktop.analytics.local_time import day_number


@dataclass(frozen=True)
class SiteCalendar:
    public_holidays: frozenset[int] = frozenset()
    closures: frozenset[int] = frozenset()
    source: str = ""  # e.g. "GB-ENG public holidays" — said wherever the calendar is used

    @property
    def non_working(self) -> frozenset[int]:
        return self.public_holidays | self.closures

    def is_working(self, days: np.ndarray) -> np.ndarray:
        """True for a local day that is a weekday and neither a holiday nor a closure."""
        days = np.asarray(days, np.int64)
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
        return (weekday < 5) & ~np.isin(days, list(self.non_working))


def site_calendar(site, first_year: int, last_year: int) -> SiteCalendar:
    closures = frozenset(day_number(date.fromisoformat(d)) for d in site.closures)
    shut = f"{len(closures)} closure day{'s' if len(closures) != 1 else ''}" if closures else ""
    if not site.country:
        return SiteCalendar(frozenset(), closures, shut)
    days = _public(site.country, site.subdivision or "", first_year, last_year)
    label = f"{site.country}{'-' + site.subdivision if site.subdivision else ''} public holidays"
    return SiteCalendar(days, closures, ", ".join(x for x in (label, shut) if x))


def calendar_for(site, start_us: int | None, end_us: int | None) -> SiteCalendar:
    """The calendar over the years a period touches (the whole data's when open)."""
    first = 1990 if start_us is None else _year(start_us)
    last = date.today().year + 1 if end_us is None else _year(end_us)
    return site_calendar(site, first - 1, last + 1)


@lru_cache(maxsize=64)
def _public(country: str, subdivision: str, first: int, last: int) -> frozenset[int]:
    import importlib.util

    from energize_desktop.computed import cached, file_stamp

    spec = importlib.util.find_spec("holidays")
    # loading `holidays` costs a quarter of a second (it imports every country): the days are
    # kept per installed package, so an upgrade computes them again
    days = cached("public_holidays", file_stamp(spec.origin if spec else None),
                  f"{country}|{subdivision}|{first}|{last}",
                  lambda: _compute_public(country, subdivision, first, last))
    return frozenset(int(d) for d in days)


def _compute_public(country: str, subdivision: str, first: int, last: int) -> list[int]:
    import holidays

    try:
        cal = holidays.country_holidays(country, subdiv=subdivision or None,
                                        years=range(first, last + 1))
    except NotImplementedError:
        return []  # refused when the site was described; an old value: no holidays
    return sorted(day_number(d) for d in cal)


def _year(us: int) -> int:
    return int(np.datetime64(int(us), "us").astype("datetime64[Y]").astype(int)) + 1970
