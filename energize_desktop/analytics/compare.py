"""Comparisons: a period against another, a meter against a meter, a site against a site —
normalised per m² and per degree-day so a cold January is not read as a worse building.

Per degree-day uses the degree-days that drive the building: HDD + CDD at the balance points
given (fitted ones where the caller has them). Energy is only summed over steps with data; the
coverage says how much of the period that was, and figures from periods covered less than 90 %
are marked as not comparable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

COMPARABLE_COVERAGE = 0.9


@dataclass(frozen=True)
class Figures:
    label: str
    kwh: float
    coverage: float
    days: float
    floor_area_m2: float | None = None
    hdd: float | None = None
    cdd: float | None = None

    @property
    def kwh_per_day(self) -> float:
        return self.kwh / self.days if self.days else float("nan")

    @property
    def kwh_per_m2(self) -> float | None:
        return self.kwh / self.floor_area_m2 if self.floor_area_m2 else None

    @property
    def kwh_per_degree_day(self) -> float | None:
        dd = (self.hdd or 0) + (self.cdd or 0)
        return self.kwh / dd if self.hdd is not None and dd > 0 else None

    def to_dict(self) -> dict:
        return {**asdict(self), "kwh_per_day": self.kwh_per_day, "kwh_per_m2": self.kwh_per_m2,
                "kwh_per_degree_day": self.kwh_per_degree_day}


def figures(label: str, kwh: np.ndarray, step_s: int, floor_area_m2=None, hdd=None,
            cdd=None) -> Figures:
    ok = np.isfinite(kwh)
    coverage = float(ok.mean()) if len(kwh) else 0.0
    # the energy of the uncovered steps is not guessed: rates per day use the covered days only
    return Figures(label, float(np.nansum(kwh)), coverage, ok.sum() * step_s / 86_400,
                   floor_area_m2, hdd, cdd)


def compare(a: Figures, b: Figures) -> dict:
    """How `a` differs from `b`, in each measure both have; % against b."""
    empty = [f.label for f in (a, b) if f.coverage == 0]
    if empty:
        return {"a": a.to_dict(), "b": b.to_dict(), "rows": {}, "comparable": False,
                "note": f"no data in {' or '.join(empty)}: nothing to compare"}
    rows = {}
    for key in ("kwh", "kwh_per_day", "kwh_per_m2", "kwh_per_degree_day"):
        va, vb = getattr(a, key), getattr(b, key)
        if va is None or vb is None:
            continue
        rows[key] = {"a": va, "b": vb, "difference": va - vb,
                     "difference_pct": (va - vb) / vb * 100 if vb else float("nan")}
    comparable = min(a.coverage, b.coverage) >= COMPARABLE_COVERAGE
    note = "" if comparable else (
        f"not comparable: data covers {a.coverage:.0%} of {a.label} and {b.coverage:.0%} of "
        f"{b.label} (need {COMPARABLE_COVERAGE:.0%}); per-day figures use covered days only")
    return {"a": a.to_dict(), "b": b.to_dict(), "rows": rows, "comparable": comparable,
            "note": note}
