"""Shared benchmark plumbing: synthetic meter data, timers, and JSON results.

Machines here are shared and noisy: every figure is a median of repeats where a repeat is
affordable, and each is written beside the peer's figure from the same run and their ratio.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"
WORK = Path(__file__).parent / "work"
MINUTE_US = 60_000_000
YEAR_START = np.datetime64("2025-01-01T00:00", "us").astype(np.int64)


def minute_data(meters: int, minutes: int, seed: int = 1) -> dict[str, np.ndarray]:
    """Interval kWh per minute for `meters` meters, sorted by (meter, ts): office-like days,
    noise, and values with the four decimals a meter reports."""
    rng = np.random.default_rng(seed)
    hour = (np.arange(minutes) // 60) % 24
    busy = (hour >= 8) & (hour < 18)
    values = np.empty(meters * minutes)
    for m in range(meters):
        base = rng.uniform(0.5, 5.0)
        v = base * (1 + 0.8 * busy) / 60 + rng.normal(0, 0.002, minutes)
        values[m * minutes:(m + 1) * minutes] = np.round(np.abs(v), 4)
    ts = YEAR_START + np.arange(minutes, dtype=np.int64) * MINUTE_US
    return {"meter_index": np.repeat(np.arange(meters, dtype=np.int32), minutes),
            "ts": np.tile(ts, meters), "value": values}


def median_time(fn, repeats: int = 15, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


@dataclass
class Figure:
    name: str
    unit: str
    ours: float
    peer: float | None = None
    higher_is_better: bool = True
    target: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.peer:
            return None
        return self.ours / self.peer if self.higher_is_better else self.peer / self.ours

    def as_dict(self) -> dict:
        return {"name": self.name, "unit": self.unit, "energize": round(self.ours, 4),
                "peer": None if self.peer is None else round(self.peer, 4),
                "ratio_energize_vs_peer": None if self.ratio is None else round(self.ratio, 2),
                "higher_is_better": self.higher_is_better, "target": self.target,
                "note": self.note}


@dataclass
class Result:
    benchmark: str
    peer: str
    figures: list[Figure] = field(default_factory=list)
    setup: dict = field(default_factory=dict)

    def write(self) -> Path:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{self.benchmark}.json"
        doc = {"benchmark": self.benchmark, "peer": self.peer,
               "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "machine": {"python": platform.python_version(), "cpus": _cpus(),
                           "platform": platform.platform()},
               "setup": self.setup, "figures": [f.as_dict() for f in self.figures]}
        path.write_text(json.dumps(doc, indent=2) + "\n")
        return path

    def table(self) -> str:
        rows = [f"{'figure':<48} {'energize':>14} {'peer':>14} {'ratio':>7}  unit"]
        for f in self.figures:
            peer = "-" if f.peer is None else f"{f.peer:,.2f}"
            ratio = "-" if f.ratio is None else f"{f.ratio:,.1f}x"
            rows.append(f"{f.name:<48} {f.ours:>14,.2f} {peer:>14} {ratio:>7}  {f.unit}")
        return "\n".join(rows)


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
