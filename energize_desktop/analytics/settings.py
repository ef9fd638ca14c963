"""Per-meter detection settings, kept in the workspace as plain JSON (never pickle)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from energize_desktop.core.errors import ValidationError

DETECTORS = ("quality", "seasonal", "sustained", "level-shift", "patterns", "unusual-days",
             "isolation-forest")
ADAPT_MAX = 2.0  # feedback never raises a meter's thresholds more than this


@dataclass(frozen=True)
class Dismissal:
    """'Not an anomaly': the user's verdict on one event, respected by every later run."""

    start_us: int
    end_us: int
    kind: str
    score: float
    note: str = ""


@dataclass(frozen=True)
class DetectorSettings:
    sensitivity: float = 1.0  # 2.0 = flag deviations half as large; 0.5 = twice as large
    disabled: frozenset[str] = frozenset()
    suppressed: tuple[tuple[int, int, str], ...] = ()  # (start_us, end_us, reason): known work
    dismissed: tuple[Dismissal, ...] = ()
    can_be_negative: bool = False  # export or bidirectional meters
    max_value: float | None = None  # per step, in the meter's unit

    def __post_init__(self):
        if not 0.1 <= self.sensitivity <= 10:
            raise ValidationError(f"sensitivity: expected 0.1 to 10, got {self.sensitivity}")
        unknown = set(self.disabled) - set(DETECTORS)
        if unknown:
            raise ValidationError(f"detectors {sorted(unknown)}: expected some of "
                                  f"{', '.join(DETECTORS)}")

    def runs(self, detector: str) -> bool:
        return detector not in self.disabled

    def threshold_factor(self, kinds: tuple[str, ...]) -> float:
        """How much higher this meter's thresholds are for these kinds: sensitivity, and the
        scores of events the user said were not anomalies (just above the largest, capped)."""
        adapt = max((d.score * 1.05 for d in self.dismissed if d.kind in kinds), default=1.0)
        return min(max(adapt, 1.0), ADAPT_MAX) / self.sensitivity

    def dismiss(self, dismissal: Dismissal) -> "DetectorSettings":
        return replace(self, dismissed=self.dismissed + (dismissal,))

    def undismiss(self, dismissal: Dismissal) -> "DetectorSettings":
        """Without that dismissal (its latest copy): what Edit › Undo does to one."""
        kept = list(self.dismissed)
        for i in range(len(kept) - 1, -1, -1):
            if kept[i] == dismissal:
                del kept[i]
                break
        return replace(self, dismissed=tuple(kept))

    def to_json(self) -> str:
        return json.dumps({
            "sensitivity": self.sensitivity, "disabled": sorted(self.disabled),
            "suppressed": [list(s) for s in self.suppressed],
            "dismissed": [vars(d) for d in self.dismissed],
            "can_be_negative": self.can_be_negative, "max_value": self.max_value})

    @classmethod
    def from_json(cls, text: str | None, where: str = "settings") -> "DetectorSettings":
        if not text:
            return cls()
        try:
            d = json.loads(text)
            return cls(float(d.get("sensitivity", 1.0)), frozenset(d.get("disabled", ())),
                       tuple((int(a), int(b), str(r)) for a, b, r in d.get("suppressed", ())),
                       tuple(Dismissal(**x) for x in d.get("dismissed", ())),
                       bool(d.get("can_be_negative", False)), d.get("max_value"))
        except (ValueError, TypeError, KeyError) as exc:
            raise ValidationError(f"{where}: not valid detection settings ({exc})") from None


@dataclass
class Tuning:
    """The method's constants: the same for every building. z_threshold, sustain_z,
    merge_hours and min_stake are what `python -m benchmarks --only anomaly-lobo` chooses on
    the five labelled LEAD buildings — the same choice on every four of them but one — and its
    figures are quoted out of sample (each building scored with constants chosen without it)."""

    weeks: int = 4  # weeks each side for the hour-of-week expectation
    z_threshold: float = 5.0  # robust z of one step
    spike_factor: float = 1.6  # a lone step needs this much more
    sustain_z: float = 4.5  # mean robust z held over ...
    sustain_hours: float = 12.0  # ... this long
    merge_hours: float = 30.0  # flags closer than this are one episode (a night after night)
    iqr_k: float = 1.5
    # the spread at a step is at least this share of what is expected there (0 = off)
    relative_floor: float = 0.05
    min_weeks: float = 3.0  # less history than this: not enough data for the profile
    # borderline steps the IsolationForest may confirm (1 = off). Off: with the alarm budget it
    # changed no LEAD score at 0.8 or 0.9 (same F1 and precision) and cost half the scoring time
    corroborate: float = 1.0
    forest_contamination: float = 0.02  # share of steps the forest calls outliers
    forest_trees: int = 30  # a stable ranking; more trees cost fit time, not F1
    # an alarm must put at stake at least this share of the meter's usual day (kWh above or
    # below usual over the episode): a 4-MAD dip of 0.1 kWh on a PV meter at night is noise
    min_stake: float = 0.02
    # warning-or-worse alarms per meter per month of history, the strongest kept: the rest
    # are findings (an engineer who gets seven wrong alarms for a right one stops reading)
    alarm_budget: float = 1.0
