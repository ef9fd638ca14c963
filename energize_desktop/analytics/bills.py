"""Bill reconciliation: metered energy over each billing period against the bill's total.

A billing period the meter only partly covers is reported with its coverage and no verdict:
comparing a bill with two weeks of data would blame the meter (or the utility) for a gap.
"""

from __future__ import annotations

import numpy as np

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.units import Dimension, convert, parse_unit

FULL_COVERAGE = 0.98  # below this share of the period with data, the difference is not judged


def reconcile(ts_us: np.ndarray, kwh: np.ndarray, step_s: int, bills: list[dict],
              tolerance_pct: float = 2.0, kwh_per_m3: float | None = None) -> list[dict]:
    """`kwh` per step on a regular grid (NaN = gap); bills with start_us/end_us/amount/unit."""
    out = []
    step_us = step_s * 1_000_000
    for b in bills:
        billed = _billed_kwh(b, kwh_per_m3)
        sel = (ts_us >= b["start_us"]) & (ts_us + step_us <= b["end_us"])
        expected_steps = max(1, (b["end_us"] - b["start_us"]) // step_us)
        coverage = float(np.isfinite(kwh[sel]).sum() / expected_steps)
        metered = float(np.nansum(kwh[sel]))
        diff = metered - billed
        pct = diff / billed * 100 if billed else float("nan")
        judged = coverage >= FULL_COVERAGE
        out.append({"start_us": b["start_us"], "end_us": b["end_us"], "billed_kwh": billed,
                    "metered_kwh": metered, "difference_kwh": diff, "difference_pct": pct,
                    "coverage": coverage, "cost": b.get("cost"), "currency": b.get("currency"),
                    "verdict": ("no meter data" if coverage == 0 else
                                "partly metered" if not judged else
                                "agrees" if abs(pct) <= tolerance_pct else
                                "meter reads higher" if diff > 0 else "bill is higher")})
    return out


def _billed_kwh(bill: dict, kwh_per_m3: float | None) -> float:
    if parse_unit(bill["unit"]).dimension is Dimension.VOLUME:
        if not kwh_per_m3:
            raise ValidationError(f"bill in {bill['unit']}: the meter needs a calorific value "
                                  "(kWh per m³) to compare a volume with energy")
        return float(convert(bill["amount"], bill["unit"], "m³")) * kwh_per_m3
    return float(convert(bill["amount"], bill["unit"], "kWh"))
