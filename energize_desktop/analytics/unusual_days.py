"""Unusual days: daily load profiles that match none of the building's own day types.

Each complete local day becomes a 24-value profile (hourly means, so 15-minute and hourly
meters compare alike) scaled by the building's median daily mean, so both shape and level
count. A small k-means (k = 2..5, picked by silhouette; seeded, plain numpy) finds the day
types — typically working day, weekend, holiday; a day far from every centre, by a robust z of
the distances, is unusual. Nothing is stored but the numbers in the event.
"""

from __future__ import annotations

import numpy as np

from energize_desktop.analytics.events import Event, Kind, Severity, local_span
from energize_desktop.analytics.expectation import MAD_TO_SIGMA, nanmedian
from energize_desktop.analytics.series import Series
from energize_desktop.core.timezones import US

SEED = 20161
MIN_DAYS = 21  # fewer complete days than this: too few to learn day types
DISTANCE_Z = 6.0  # robust z of a day's distance to its nearest day type
DAY_TYPES = range(2, 6)
MIN_TYPE_DAYS, MIN_TYPE_SHARE = 4, 0.05  # a day type has at least this many days
ALARM_SHARE = 0.25  # an unusual day is an alarm only when its energy is this far off its type


def day_matrix(series: Series, bad: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(days × 24 hourly means, first step index of each day) for complete, unfaulted days."""
    per_hour = max(1, 3600 // series.step_s)
    spd = series.slots_per_day
    values = series.values.copy()
    if bad is not None:
        values[bad] = np.nan
    day = series.local_day()
    starts = np.flatnonzero(np.r_[True, np.diff(day) != 0])
    sizes = np.diff(np.r_[starts, len(day)])
    full = starts[sizes == spd]  # DST-change days have 23 or 25 hours: left out
    if not len(full):
        return np.zeros((0, 24)), full
    rows = values[full[:, None] + np.arange(spd)[None, :]]
    hourly = rows.reshape(len(full), spd // per_hour, per_hour).mean(axis=2)
    keep = np.isfinite(hourly).all(axis=1)
    return hourly[keep], full[keep]


def unusual_days(series: Series, bad: np.ndarray | None = None,
                 meter_id: int | None = None, factor: float = 1.0) -> tuple[list[Event], str]:
    """Events for days far from every day type, and a reason when the detector cannot run."""
    days, first = day_matrix(series, bad)
    if len(days) < MIN_DAYS:
        return [], f"not enough data: {len(days)} complete days, day types need {MIN_DAYS}"
    level = nanmedian(days.mean(axis=1))
    if not level > 0:
        return [], "not enough data: the typical day uses nothing"
    x = days / level
    centres, label = _best_kmeans(x)
    # a 'type' of one or two days is not a type: those days are measured against the rest
    members = np.bincount(label, minlength=len(centres))
    real = np.flatnonzero(members >= max(MIN_TYPE_DAYS, MIN_TYPE_SHARE * len(x)))
    d = np.linalg.norm(x[:, None, :] - centres[real][None], axis=2)
    label = real[d.argmin(axis=1)]
    dist = d.min(axis=1)
    med = np.median(dist)
    spread = MAD_TO_SIGMA * np.median(np.abs(dist - med))
    if not spread > 0:
        return [], ""
    z = (dist - med) / spread
    events = [_event(series, int(first[i]), days[i], centres[label[i]] * level, z[i],
                     members[label[i]], meter_id, factor)
              for i in np.flatnonzero(z >= DISTANCE_Z * factor)]
    return events, ""


def _event(series: Series, first: int, day: np.ndarray, typical: np.ndarray, z: float,
           members: int, meter_id, factor: float) -> Event:
    start = int(series.ts_us[first])
    end = start + 86400 * US
    worst = int(np.argmax(np.abs(day - typical)))
    date = local_span(start, end, series.tz).split(" 00:00")[0]
    text = (f"{date}: a day unlike any of this meter's usual day types ({z:.1f} MADs from the "
            f"nearest, a type of {members} days); {_compare(series, day, typical, worst)}")
    off = abs(day.sum() - typical.sum()) / max(abs(typical.sum()), 1e-12)
    # a different shape alone is a finding to review; a different shape *and* amount, an alarm
    severity = Severity.WARNING if z >= 2 * DISTANCE_Z * factor and off >= ALARM_SHARE \
        else Severity.INFO
    return Event(series.name, start, end, Kind.UNUSUAL_DAY, severity, z / (DISTANCE_Z * factor),
                 text, "unusual-days", meter_id)


def _compare(series: Series, day: np.ndarray, typical: np.ndarray, worst: int) -> str:
    """The day against its nearest type in the meter's own units: energy per day and per hour
    for energy meters, mean levels otherwise."""
    u = series.unit
    if u.endswith("Wh"):
        per_hour = 3600 / series.step_s  # hourly means of per-step energy -> per hour
        return (f"{day.sum() * per_hour:,.1f} against {typical.sum() * per_hour:,.1f} {u} for "
                f"the day, largest difference at {worst:02d}:00 ({day[worst] * per_hour:,.1f} "
                f"against {typical[worst] * per_hour:,.1f} {u} in that hour)")
    return (f"mean {day.mean():,.2f} against {typical.mean():,.2f} {u}, largest difference at "
            f"{worst:02d}:00 ({day[worst]:,.2f} against {typical[worst]:,.2f} {u})")


def _best_kmeans(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    best = None
    sq = (x ** 2).sum(axis=1)
    # einsum, not x @ x.T: a 365 x 24 product is too small for BLAS threads, which only
    # spin against each other when several meters are scored in parallel processes
    gram = np.einsum("ik,jk->ij", x, x)
    pairwise = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * gram, 0.0))
    for k in DAY_TYPES:
        if len(x) < 3 * k:
            break
        centres, label = kmeans(x, k)
        s = _silhouette(pairwise, label)
        if best is None or s > best[0]:
            best = (s, centres, label)
    return best[1], best[2]


def kmeans(x: np.ndarray, k: int, iterations: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means with k-means++ seeding (seeded: the same days give the same types)."""
    rng = np.random.default_rng(SEED)
    centres = [x[rng.integers(len(x))]]
    for _ in range(1, k):
        d2 = np.min([((x - c) ** 2).sum(axis=1) for c in centres], axis=0)
        p = d2 / d2.sum() if d2.sum() > 0 else None
        centres.append(x[rng.choice(len(x), p=p)])
    centres = np.array(centres)
    label = np.zeros(len(x), int)
    for _ in range(iterations):
        d = ((x[:, None, :] - centres[None]) ** 2).sum(axis=2)
        new = d.argmin(axis=1)
        if _ and (new == label).all():
            break
        label = new
        for j in range(k):
            if (label == j).any():
                centres[j] = x[label == j].mean(axis=0)
    return centres, label


def _silhouette(d: np.ndarray, label: np.ndarray) -> float:
    """Mean silhouette of a labelling, from the pairwise distances `d`."""
    ks = np.unique(label)
    if len(ks) < 2:
        return -1.0
    mean_to = np.stack([d[:, label == j].mean(axis=1) for j in ks], axis=1)
    own = np.searchsorted(ks, label)
    counts = np.bincount(own)
    a = mean_to[np.arange(len(d)), own] * counts[own] / np.maximum(counts[own] - 1, 1)
    mean_to[np.arange(len(d)), own] = np.inf
    b = mean_to.min(axis=1)
    s = np.where(counts[own] > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())
