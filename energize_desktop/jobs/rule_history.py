"""A rule tried on history (`energize alerts test-rule`): the alerts it would have raised over
a period, with when each started and cleared and its worst value — so a threshold is tuned on
a year of data before anyone is woken by it. The same Rule and RuleState the live engine uses,
fed the meter's stored 15-minute (or hourly) values in order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from energize_desktop.analytics.alert_rules import (
    Rule,
    RuleState,
    hour_of_week_profile,
    relative_percent,
)
from energize_desktop.core.errors import ValidationError
from energize_desktop.core.timezones import US
from energize_desktop.jobs.detection import meter_series
from energize_desktop.storage.api import WorkspaceAPI

TRIED = ("above", "below", "relative", "no-data")


@dataclass(frozen=True)
class WouldRaise:
    start_us: int
    end_us: int | None  # None: still raised at the end of the period
    worst: float
    unit: str


def try_rule(ws: WorkspaceAPI, rule: Rule, meter, start_us: int, end_us: int) -> list[WouldRaise]:
    if rule.kind not in TRIED:
        raise ValidationError(f"test-rule tries {', '.join(TRIED)} rules on history; a "
                              f"{rule.kind!r} rule needs live data", field="kind")
    step = 3600 if rule.kind == "relative" or meter.interval_s > 900 else 900
    s = meter_series(ws, meter, step, start_us, end_us)
    values, unit = _measured(rule, meter, s.values, step)
    if rule.kind == "relative":
        profile = hour_of_week_profile(s.ts_us, values, s.tz)
        values = np.array([relative_percent(v, profile[slot]) if np.isfinite(v) else np.nan
                           for v, slot in zip(values, s.slot)], dtype=float)
        unit = "%"
    if rule.kind == "no-data":
        unit = "min without data"
    out, state, opened, worst = [], RuleState(), None, np.nan
    missing_s = 0.0
    for t, v in zip(s.ts_us, values):
        now = (int(t) + step * US) / US
        if rule.kind == "no-data":
            missing_s = missing_s + step if not np.isfinite(v) else 0.0
            v = missing_s / 60.0  # minutes without data
        elif not np.isfinite(v):
            continue  # a gap is no evidence either way
        change = state.update(rule, float(v), now)
        if change == "raise":
            opened, worst = int(t), float(v)
        elif opened is not None:
            worst = _worse(rule, worst, float(v))
        if change == "clear" and opened is not None:
            out.append(WouldRaise(opened, int(t), worst, unit))
            opened = None
    if opened is not None:
        out.append(WouldRaise(opened, None, worst, unit))
    return out


def _measured(rule: Rule, meter, values: np.ndarray, step: int) -> tuple[np.ndarray, str]:
    if meter.amount_unit != "kWh":
        return values, meter.amount_unit or meter.unit
    if rule.measure == "energy":
        return values, "kWh"
    return values / (step / 3600), "kW"  # power over the interval, never the register


def _worse(rule: Rule, a: float, b: float) -> float:
    downward = rule.kind == "below" or (rule.kind == "relative" and rule.limit < 0)
    return min(a, b) if downward else max(a, b)
