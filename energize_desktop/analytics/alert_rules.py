"""Alert rules and their state machine: pending period, hysteresis and clearing.

Pure logic with the clock passed in, so a rule behaves the same in a test, in the live logger
and in a replay of history. A rule raises when its condition has held for `pending_s`, and
clears only when the value is back past `clear` (hysteresis), so a value hovering at the limit
does not flap.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import numpy as np

from energize_desktop.analytics.expectation import nanmedian
from energize_desktop.analytics.series import local_slots
from energize_desktop.core.errors import ValidationError

KINDS = ("above", "below", "relative", "rate", "no-data", "anomaly")
MEASURES = ("power", "energy")
SEVERITIES = ("info", "warning", "critical")


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str  # above, below, relative (to expected, %), rate (per minute), no-data, anomaly
    limit: float  # the threshold; for no-data: minutes; for anomaly: minimum score
    clear: float | None = None  # back past this to clear (default: the limit itself)
    pending_s: float = 0.0  # the condition must hold this long before it raises
    severity: str = "warning"
    meter_id: int | None = None
    site_id: int | None = None
    id: int | None = None
    # what a threshold compares on an energy meter: "power" (kW over the interval, the default)
    # or "energy" (kWh per interval) — never a counter's register value
    measure: str = "power"

    def __post_init__(self):
        if self.measure not in MEASURES:
            raise ValidationError(f"alert rule {self.name!r}: measure {self.measure!r}, "
                                  f"expected one of {', '.join(MEASURES)}", field="measure")
        if self.kind not in KINDS:
            raise ValidationError(f"alert rule {self.name!r}: kind {self.kind!r}, expected one "
                                  f"of {', '.join(KINDS)}")
        if self.severity not in SEVERITIES:
            raise ValidationError(f"alert rule {self.name!r}: severity {self.severity!r}, "
                                  f"expected one of {', '.join(SEVERITIES)}")
        if self.pending_s < 0:
            raise ValidationError(f"alert rule {self.name!r}: pending period must be >= 0 s")
        if self.meter_id is None and self.site_id is None:
            raise ValidationError(f"alert rule {self.name!r}: needs a meter or a site")

    @property
    def clear_level(self) -> float:
        return self.limit if self.clear is None else self.clear

    def breached(self, value: float) -> bool:
        if self._downward:
            return value < self.limit
        return value > self.limit  # above, relative %, rate, no-data minutes, anomaly score

    def cleared(self, value: float) -> bool:
        if self._downward:
            return value >= self.clear_level
        return value <= self.clear_level

    @property
    def _downward(self) -> bool:
        """'below', and a relative rule with a negative limit (say -50 %: half the usual)."""
        return self.kind == "below" or (self.kind == "relative" and self.limit < 0)

    def describe(self, value: float, unit: str = "") -> str:
        u = f" {unit}" if unit else ""
        what = {"above": f"{value:,.2f}{u} is above {self.limit:,.2f}{u}",
                "below": f"{value:,.2f}{u} is below {self.limit:,.2f}{u}",
                "relative": f"{value:+.0f} % against the expected value (limit "
                            f"{self.limit:+.0f} %)",
                "rate": f"changing by {value:,.2f}{u}/min (limit {self.limit:,.2f})",
                "no-data": f"no data for {value:,.0f} min (limit {self.limit:,.0f} min)",
                "anomaly": f"anomaly score {value:.1f} (limit {self.limit:.1f})"}[self.kind]
        return f"{self.name}: {what}"

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if k != "id"})

    @classmethod
    def from_json(cls, text: str, rule_id: int | None = None) -> "Rule":
        try:
            return cls(**json.loads(text), id=rule_id)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"alert rule {rule_id}: not a valid rule ({exc})") from None


@dataclass
class RuleState:
    """Where one rule stands for one meter: idle, pending since t, or raised."""

    pending_since: float | None = None
    raised: bool = False

    def update(self, rule: Rule, value: float, now: float) -> str | None:
        """'raise' or 'clear' when the state changes, else None."""
        if self.raised:
            if rule.cleared(value):
                self.raised, self.pending_since = False, None
                return "clear"
            return None
        if not rule.breached(value):
            self.pending_since = None
            return None
        if self.pending_since is None:
            self.pending_since = now
        if now - self.pending_since >= rule.pending_s:
            self.raised = True
            return "raise"
        return None


def hour_of_week_profile(ts_us: np.ndarray, values: np.ndarray, tz: str) -> np.ndarray:
    """168 medians (Monday 00:00 local first; NaN where no hour is known): the expected value
    a 'relative' rule compares each completed hour with."""
    out = np.full(168, np.nan)
    ok = np.isfinite(values)
    if not ok.any():
        return out
    _, slot = local_slots(np.asarray(ts_us, np.int64)[ok], 3600, tz)
    v = np.asarray(values, float)[ok]
    for s in np.unique(slot):
        out[s] = nanmedian(v[slot == s])
    return out


def relative_percent(value: float, expected: float) -> float | None:
    """How far above (+) or below (-) the expected value, in %; None when nothing is expected."""
    if not np.isfinite(expected) or expected <= 0 or not np.isfinite(value):
        return None
    return 100.0 * (value / expected - 1.0)
