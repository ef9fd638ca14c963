"""Deciding what each channel of a file is: unit, kind, semantics and interval.

A unit decides most of it (kW is a sampled power, °C a temperature); for energy units the data
decides between a counter (values that only climb, large against their steps) and interval
amounts. Flags override every decision; each decision is noted with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from energize_desktop.core.channels import is_counted, meter_kind
from energize_desktop.core.model import MeterKind, Semantics
from energize_desktop.core.units import UnitError, parse_unit
from energize_desktop.imports.csv_format import ImportFormatError


@dataclass
class ChannelSpec:
    name: str
    unit: str
    kind: MeterKind
    semantics: Semantics
    interval_s: int
    source: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    role: str = ""  # core.model.Role when the file says more than the kind does


@dataclass
class ChannelHints:
    """What the user said on the command line or in the wizard."""

    unit: str | None = None  # for every channel the file does not give a unit for
    units: dict[str, str] = field(default_factory=dict)  # per channel or column name
    kind: str | None = None
    semantics: str | None = None
    interval_s: int | None = None


def decide(name: str, unit: str | None, ts_us: np.ndarray, values: np.ndarray,
           hints: ChannelHints, source: str, column: str | None = None) -> ChannelSpec:
    """A channel from its first rows (in file order) and what the file and the user say."""
    unit = hints.units.get(name) or (hints.units.get(column) if column else None) or unit \
        or hints.unit
    if not unit:
        raise ImportFormatError(
            f"{source}: the file does not say the unit of {name!r}; give it (e.g. kWh, or "
            f"'{column or name}=kW' for this column alone)", field="unit")
    try:
        parse_unit(unit)
    except UnitError as exc:
        raise ImportFormatError(f"{source}: meter {name!r}: {exc}", field="unit") from None
    interval = hints.interval_s or interval_of(ts_us)
    kind = meter_kind(name, unit, hints.kind)
    notes = []
    if hints.semantics:
        semantics = Semantics(hints.semantics)
    elif is_counted(unit):
        semantics, why = _energy_semantics(values)
        notes.append(f"{name}: {semantics} ({why})")
    else:
        semantics = Semantics.INSTANTANEOUS
    return ChannelSpec(name, parse_unit(unit).symbol or unit, kind, semantics, interval,
                       notes=notes)


def interval_of(ts_us: np.ndarray) -> int:
    """The most common positive step between readings, in seconds (900 if it cannot tell)."""
    steps = np.diff(np.unique(ts_us)) // 1_000_000
    steps = steps[steps > 0]
    if not len(steps):
        return 900
    values, counts = np.unique(steps, return_counts=True)
    return int(values[np.argmax(counts)])


def _energy_semantics(values: np.ndarray) -> tuple[Semantics, str]:
    v = values[np.isfinite(values)]
    if len(v) < 8:
        return Semantics.INTERVAL, "too few values to tell; interval amounts assumed"
    steps = np.diff(v)
    rising = np.mean(steps >= 0)
    typical_step = np.median(np.abs(steps)) or 1e-12
    climbed = v[-1] - v[0]
    if (rising >= 0.98 and np.median(np.abs(v)) > 20 * typical_step
            and climbed >= 0.5 * steps[steps > 0].sum()):
        return Semantics.CUMULATIVE, "values only climb: a counter"
    return Semantics.INTERVAL, "values rise and fall: amounts per interval"
