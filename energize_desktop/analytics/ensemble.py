"""The ensemble: every detector's scores combined into a short list of explained events.

Data-quality detectors run first and mark what they explain; the statistical detectors score
each step against the building's own hour-of-week profile; flags less than `merge_hours` apart
become one episode (one alarm, not one per hour); user suppressions and dismissals are applied
last, and dismissals raise this meter's thresholds for the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from energize_desktop.analytics import (
    isoforest,
    patterns,
    quality_checks,
    statistical,
    unusual_days,
)
from energize_desktop.analytics.events import (
    Event,
    Kind,
    Severity,
    amount,
    close_gaps,
    local_span,
    profile_name,
    runs,
)
from energize_desktop.analytics.expectation import Expectation, expect
from energize_desktop.analytics.series import Series
from energize_desktop.analytics.settings import DetectorSettings, Tuning
from energize_desktop.core.timezones import US

STATISTICAL_KINDS = (Kind.HIGH.value, Kind.LOW.value, Kind.SPIKE.value, Kind.DIP.value)


@dataclass
class Detection:
    events: list[Event]
    not_run: dict[str, str] = field(default_factory=dict)  # detector -> why (in words)
    expectation: Expectation | None = None
    score: np.ndarray | None = None  # per step, 1.0 = threshold

    def alarms(self) -> list[Event]:
        return [e for e in self.events if e.severity is not Severity.INFO]


def detect(series: Series, settings: DetectorSettings = DetectorSettings(),
           meter_id: int | None = None, live: bool = False, tuning: Tuning | None = None,
           since_us: int | None = None, level_channel: bool = False,
           quality_only: str | None = None) -> Detection:
    """Events of one meter. `live` uses only earlier weeks for the expectation; `since_us`
    keeps only events ending after it (incremental scoring of newly arrived data). A level
    channel (outdoor temperature, voltage) gets the data-quality checks only: its seasons are
    weather, not waste."""
    tuning = tuning or Tuning()
    result = Detection([])
    why = "a level channel (not energy): data-quality checks only" if level_channel \
        else quality_only or _not_enough(series, tuning)
    if why:
        result.not_run = {d: why for d in ("seasonal", "sustained", "level-shift", "patterns",
                                           "unusual-days", "isolation-forest")}
    if settings.runs("quality") and len(series):
        q = quality_checks.check(series, meter_id, settings.can_be_negative or level_channel,
                                 settings.max_value, amounts=not level_channel)
        result.events += q.events
        faulty = q.bad
    else:
        faulty = np.zeros(len(series), bool)
    if not why:
        _statistical(series, settings, tuning, faulty, _suppressed_steps(series, settings),
                     meter_id, live, result)
    result.events = _apply_feedback(result.events, settings)
    if not level_channel and not quality_only:
        result.events = within_budget(result.events, series, tuning.alarm_budget)
    if since_us is not None:
        result.events = [e for e in result.events if e.end_us > since_us]
    result.events.sort(key=lambda e: (e.start_us, e.kind.value))
    return result


def _not_enough(series: Series, tuning: Tuning) -> str | None:
    finite = np.isfinite(series.values)
    have_weeks = finite.sum() * series.step_s / (7 * 86400)
    if not finite.any():
        return "not enough data: every value is missing"
    if have_weeks < tuning.min_weeks:
        return (f"not enough data: {have_weeks * 7:.1f} days of readings, the hour-of-week "
                f"profile needs {tuning.min_weeks * 7:g}")
    vals = series.values[finite]
    if np.ptp(vals) == 0:
        return f"constant series: every value is {vals[0]:g} {series.unit}, nothing to compare"
    return None


def _suppressed_steps(series: Series, settings: DetectorSettings) -> np.ndarray:
    out = np.zeros(len(series), bool)
    for a, b, _ in settings.suppressed:
        out |= (series.ts_us >= a) & (series.ts_us < b)
    return out


def _statistical(series, settings, tuning, faulty, suppressed, meter_id, live,
                 result: Detection) -> None:
    bad = faulty | suppressed
    exp = expect(series, bad, tuning.weeks, live, non_negative=not settings.can_be_negative,
                 relative_floor=tuning.relative_floor)
    result.expectation = exp
    steps_per_hour = 3600 / series.step_s
    factor = settings.threshold_factor(STATISTICAL_KINDS)
    score = np.zeros(len(series))
    if settings.runs("seasonal"):
        score = statistical.deviation_score(exp, tuning.z_threshold * factor, tuning.iqr_k)
    if settings.runs("sustained"):
        window = max(3, int(tuning.sustain_hours * steps_per_hour))
        score = np.maximum(score, statistical.sustained_score(exp, window,
                                                              tuning.sustain_z * factor))
    if settings.runs("isolation-forest") and tuning.corroborate < 1.0 and \
            not _budget_full(series, score, tuning):
        score = _corroborate(series, score, tuning)
    score[bad] = 0.0
    result.score = score
    flags = close_gaps((score >= 1.0) | faulty, int(tuning.merge_hours * steps_per_hour))
    usual_day = _usual_day(series)
    for a, b in runs(flags):
        if faulty[a:b].any():
            continue  # the data-quality event already explains this episode
        if b - a == 1 and score[a] < tuning.spike_factor:
            continue  # a lone step needs more evidence than a held deviation
        result.events.append(_deviation_event(series, exp, score, a, b, meter_id,
                                              tuning.min_stake * usual_day))
    if settings.runs("level-shift"):
        result.events += patterns.level_shift_events(series, meter_id)
    if settings.runs("patterns"):
        result.events += patterns.pattern_events(series, exp, meter_id)
    if settings.runs("unusual-days"):
        _add_unusual_days(series, bad, meter_id, settings, result)


def _add_unusual_days(series, bad, meter_id, settings, result: Detection) -> None:
    """Days matching no day type, unless an alarm already explains them."""
    factor = settings.threshold_factor(STATISTICAL_KINDS + (Kind.UNUSUAL_DAY.value,))
    days, why = unusual_days.unusual_days(series, bad, meter_id, factor)
    if why:
        result.not_run["unusual-days"] = why
    alarms = result.alarms()
    result.events += [d for d in days if not any(d.overlaps(a.start_us, a.end_us)
                                                 for a in alarms)]


def _budget_full(series: Series, score: np.ndarray, tuning: Tuning) -> bool:
    """Episodes above the threshold already fill this meter's alarm budget: a borderline one
    the forest confirmed would rank below them all and be a finding anyway — skip the forest
    (it was half the scoring time of a meter)."""
    months = np.isfinite(series.values).sum() * series.step_s / (30.44 * 86400)
    episodes = len(runs(close_gaps(score >= 1.0, int(tuning.merge_hours * 3600 /
                                                       series.step_s))))
    return episodes >= max(1, int(tuning.alarm_budget * months))


def _corroborate(series: Series, score: np.ndarray, tuning: Tuning) -> np.ndarray:
    """Borderline steps (score in [corroborate, 1)) that the meter's IsolationForest also
    isolates are raised to the threshold: two independent views agreeing is evidence enough."""
    borderline = (score >= tuning.corroborate) & (score < 1.0)
    # only borderline runs of two or more steps away from any flag could become a new event
    # (a lone step needs more than the threshold; near a flag it joins that episode anyway)
    near = close_gaps(score >= 1.0, 2 * int(tuning.merge_hours * 3600 / series.step_s))
    candidate = borderline & ~near
    if not any(b - a >= 2 for a, b in runs(candidate)):
        return score
    forest = isoforest.scores(series, contamination=tuning.forest_contamination,
                              n_estimators=tuning.forest_trees)
    return np.where(borderline & (forest > 0), 1.0, score)


def _usual_day(series: Series) -> float:
    """The meter's median daily total (in its unit), the yardstick of the energy at stake."""
    v = series.values
    if not np.isfinite(v).any():
        return 0.0
    day = series.local_day()
    ids, inverse = np.unique(day, return_inverse=True)
    total = np.bincount(inverse, np.nan_to_num(np.abs(v)), minlength=len(ids))
    full = np.bincount(inverse, np.isfinite(v), minlength=len(ids)) >= 0.9 * series.slots_per_day
    return float(np.median(total[full])) if full.any() else float(np.nanmedian(total))


def within_budget(events: list[Event], series: Series, per_month: float) -> list[Event]:
    """At most `per_month` warning-or-worse alarms per month of this meter's history, the
    strongest kept; the others stay as findings, saying why."""
    alarms = [e for e in events if e.severity is not Severity.INFO]
    months = np.isfinite(series.values).sum() * series.step_s / (30.44 * 86400)
    cap = max(1, int(per_month * months))  # whole alarms, never above the rate
    if len(alarms) <= cap:
        return events
    kept = {id(e) for e in sorted(alarms, key=lambda e: e.score, reverse=True)[:cap]}
    note = (f" (a finding, not an alarm: beyond this meter's budget of {per_month:g} alarm a "
            "month, the strongest kept)")
    return [e if e.severity is Severity.INFO or id(e) in kept else
            replace(e, severity=Severity.INFO, explanation=e.explanation + note) for e in events]


def _deviation_event(series: Series, exp: Expectation, score, a: int, b: int, meter_id,
                     min_stake: float = 0.0):
    flagged = np.arange(a, b)[score[a:b] >= 1.0]
    worst = int(flagged[np.argmax(np.abs(np.nan_to_num(exp.z[flagged])))])
    excess = float(np.nansum(exp.residual[a:b]))
    high = np.nansum(exp.residual[flagged]) > 0
    single = b - a == 1
    kind = (Kind.SPIKE if high else Kind.DIP) if single else (Kind.HIGH if high else Kind.LOW)
    top = float(score[a:b].max())
    start, end = int(series.ts_us[a]), int(series.ts_us[b - 1]) + series.step_s * US
    u, step = series.unit, series.step_s
    z = float(exp.z[worst])
    on_holiday = series.holiday is not None and bool(series.holiday[worst])
    where = "weekend profile (a holiday or closure)" if on_holiday else \
        profile_name(int(series.slot[worst]), series.slots_per_day, step)
    text = (f"{local_span(start, end, series.tz)}: {amount(series.values[worst], u, step)} against "
            f"a usual {amount(exp.expected[worst], u, step)} ({abs(z):.1f} MADs "
            f"{'above' if z > 0 else 'below'} the {where})")
    if not single:
        hours = (b - a) * step / 3600
        text += (f"; over these {hours:g} h {abs(excess):,.1f} {u} "
                 f"{'more' if excess > 0 else 'less'} than usual")
        if (excess > 0) != high:  # the flagged hours went one way, the episode's sum the other
            text += f" in all (the flagged hours were {'above' if high else 'below'} it)"
    severity = Severity.CRITICAL if top >= 2.0 else Severity.WARNING
    stake = abs(excess) if not single else abs(float(exp.residual[worst]))
    if stake < min_stake:  # clear in MADs, but too little energy to act on: a finding
        severity = Severity.INFO
        text += f"; {stake:,.1f} {u} at stake, too little to alarm"
    elif severity is Severity.CRITICAL and stake < 10 * min_stake:
        severity = Severity.WARNING  # critical needs energy at stake as well as a large z
    weather = _weather_explains(exp, a, b, high) or _seasonal_off(series, a, b, high) or \
        _response_explains(series, exp, a, b, flagged, high)
    if weather and severity is not Severity.INFO:
        severity = Severity.INFO
        text += f"; {weather}"
    return Event(series.name, start, end, kind, severity, top, text, "seasonal", meter_id, stake)


WEATHER_C = 2.0  # °C warmer or colder than usual over an episode: the weather's doing
OFF_SHARE = 0.3  # off this often at that temperature: off is normal there (its season)


def _weather_explains(exp: Expectation, a: int, b: int, high: bool) -> str | None:
    """A heating load that falls in a warm spell (or a cooling load that rises in a hot one)
    is the weather, not the building: said, and kept as a finding. Judged by this meter's
    own temperature response (its slope above the usual temperature)."""
    if exp.temperature_slope is None or exp.warmer is None:
        return None
    dt = exp.warmer[a:b]
    if not np.isfinite(dt).any():
        return None
    mean_dt = float(np.nanmean(dt))
    above = exp.temperature_slope[0]  # per °C warmer than usual
    if abs(mean_dt) < WEATHER_C or above == 0:
        return None
    warmer = mean_dt > 0
    # a warmer spell lowers a heating meter (negative slope) and raises a cooling one
    expected_direction_high = (above > 0) == warmer
    if expected_direction_high != high:
        return None
    what = "warmer" if warmer else "colder"
    return (f"{abs(mean_dt):.1f} °C {what} than usual at these hours: the weather, not the "
            "building (a finding)")


RESPONSE_BIN_C = 2.0  # temperature bins of the meter's own response curve
RESPONSE_SHARE = 0.5  # the response explains at least this share of the flagged energy


def _response_explains(series: Series, exp: Expectation, a: int, b: int, flagged,
                       high: bool) -> str | None:
    """The meter's own response to temperature, read from its history (the median reading
    at each hour of the day, working or not, in 2 °C bins: a boiler's hinge at its balance
    point, which the expectation's straight-line term misses), explains the episode: what that
    curve says the temperature changes, less what the straight line already allowed for, is
    at least half the energy flagged, in its direction. Kept as a finding, said."""
    t = series.temperature
    if t is None or exp.warmer is None or not len(flagged):
        return None
    v = series.values
    ok = np.isfinite(v) & np.isfinite(t)
    if ok.sum() < 24 * 28:
        return None
    hour = series.slot % series.slots_per_day
    group = hour * 2 + series.is_non_working().astype(np.int64)
    usual_t = t - exp.warmer

    def curve_at(temps: np.ndarray, rows: np.ndarray, usable=ok) -> np.ndarray:
        out = np.full(len(rows), np.nan)
        for k, i in enumerate(rows):
            if not np.isfinite(temps[k]):
                continue
            near = usable & (group == group[i]) & (np.abs(t - temps[k]) <= RESPONSE_BIN_C / 2)
            if near.sum() >= 5:
                out[k] = np.median(v[near])
        return out

    rows = np.asarray(flagged)
    at_its_temperature = _usual_at_temperature(series, exp, a, b, rows, ok, curve_at)
    if at_its_temperature:
        return at_its_temperature
    # what the temperature changes by the meter's own curve, less what the expectation's
    # straight-line term already allowed for: the part of the residual the line missed
    dt = exp.warmer[rows]
    above, below = exp.temperature_slope or (0.0, 0.0)
    allowed = above * np.maximum(dt, 0) + below * np.minimum(dt, 0)
    change = curve_at(t[rows], rows) - curve_at(usual_t[rows], rows) - \
        np.nan_to_num(allowed)
    residual = exp.residual[rows]
    both = np.isfinite(change) & np.isfinite(residual)
    if both.sum() < 0.8 * len(rows):
        return None
    explained, flagged_energy = float(np.sum(change[both])), float(np.sum(residual[both]))
    if (explained > 0) != high or abs(explained) < RESPONSE_SHARE * abs(flagged_energy):
        return None
    mean_dt = float(np.nanmean(dt))
    return (f"at {np.nanmean(t[rows]):.1f} °C ({abs(mean_dt):.1f} °C "
            f"{'warmer' if mean_dt > 0 else 'colder'}"
            f" than usual) this meter's own response to temperature explains "
            f"{abs(explained):,.1f} of the {abs(flagged_energy):,.1f} {series.unit} flagged: "
            "the weather, not the building (a finding)")


def _usual_at_temperature(series: Series, exp: Expectation, a: int, b: int, rows, ok,
                          curve_at) -> str | None:
    """A temperature-driven meter (its fitted slope moves it by a third of its level over
    5 °C) reading what it reads at this hour at this temperature on other days — its own
    response curve, from history outside two weeks around the episode, so a long fault never
    teaches the curve itself — is the weather, even where the hour-of-week expectation (a
    median of neighbouring weeks, blind to a boiler's hinge at its balance point) said
    otherwise: the readings are at least twice as close to the curve as to the expectation."""
    slopes = exp.temperature_slope
    level = float(np.nanmedian(np.abs(series.values))) if np.isfinite(series.values).any() else 0
    if slopes is None or not level or 5 * max(abs(slopes[0]), abs(slopes[1])) < level / 3:
        return None
    away = int(7 * 86400 / series.step_s)
    usable = ok.copy()
    usable[max(0, a - away):b + away] = False  # the episode and the week either side
    curve = curve_at(series.temperature[rows], rows, usable)
    v = series.values[rows]
    both = np.isfinite(curve) & np.isfinite(v) & np.isfinite(exp.residual[rows])
    if both.sum() < 0.8 * len(rows):
        return None
    off_curve = abs(float(np.sum(v[both] - curve[both])))
    off_usual = abs(float(np.sum(exp.residual[rows][both])))
    if off_curve > RESPONSE_SHARE * off_usual:
        return None
    return (f"at {np.nanmean(series.temperature[rows]):.1f} °C this meter reads about "
            f"{np.nanmean(curve[both]):,.1f} {series.unit} at these hours on other days: what "
            "its own response to temperature gives, the weather, not the building (a finding)")


def _seasonal_off(series: Series, a: int, b: int, high: bool) -> str | None:
    """A heating meter that reads (near) nothing at temperatures where it usually does: its
    season has ended, the weather's doing (found from this meter's own off-season)."""
    t = series.temperature
    if high or t is None:
        return None
    v = series.values
    ok = np.isfinite(v) & np.isfinite(t)
    if ok.sum() < 24 * 28:
        return None
    level = np.median(np.abs(v[ok]))
    off = ok & (np.abs(v) <= 0.1 * level)
    on = ok & (np.abs(v) > 0.1 * level)
    if off.sum() < 48 or on.sum() < 48 or np.median(t[off]) <= np.median(t[on]) + WEATHER_C:
        return None  # it does not switch off when warm: not a heating season
    here = np.nanmean(t[a:b]) if np.isfinite(t[a:b]).any() else np.nan
    near = ok & (np.abs(t - here) <= 1.5)  # hours this warm, anywhere in its history
    off_share = off[near].sum() / max(near.sum(), 1)
    if not np.nanmean(v[a:b]) <= 0.5 * np.nanmean(np.abs(v[ok])) or \
            not off_share >= OFF_SHARE:
        return None
    return (f"{here:.1f} °C, a temperature at which this meter is off {off_share:.0%} of the "
            "time: the heating season, not a fault (a finding)")


def _apply_feedback(events: list[Event], settings: DetectorSettings) -> list[Event]:
    """Drop events inside suppression windows or already dismissed by the user."""
    keep = []
    for e in events:
        if any(e.overlaps(a, b) for a, b, _ in settings.suppressed):
            continue
        if any(_same_finding(d, e) and e.overlaps(d.start_us, d.end_us)
               for d in settings.dismissed):
            continue
        keep.append(e)
    return keep


def _same_finding(dismissal, event: Event) -> bool:
    """A dismissal covers events of its kind; a whole unusual day is also covered by any
    dismissal inside it (the user has said what made the day different is normal)."""
    return dismissal.kind == event.kind.value or event.kind is Kind.UNUSUAL_DAY
