"""What an import found and stored, per file and per channel, for the CLI and the wizard."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np

US = 1_000_000


@dataclass
class ChannelStats:
    name: str
    unit: str
    kind: str
    semantics: str
    interval_s: int
    meter_id: int | None = None
    new_meter: bool = False
    rows: int = 0  # readings with a value
    empty: int = 0  # rows with no value: gaps, not zeros
    first_us: int | None = None
    last_us: int | None = None
    gaps: int = 0
    gap_s: int = 0
    duplicates: int = 0  # the same timestamp twice in the file with the same value
    file_conflicts: int = 0  # ... with different values
    total: float = 0.0  # sum of values (interval amounts only)
    _prev: int | None = None

    def observe(self, ts: np.ndarray, values: np.ndarray, additive: bool) -> None:
        """Fold sorted, de-duplicated timestamps of this channel into the counts."""
        if not len(ts):
            return
        self.rows += len(ts)
        self.first_us = int(ts[0]) if self.first_us is None else min(self.first_us, int(ts[0]))
        self.last_us = int(ts[-1]) if self.last_us is None else max(self.last_us, int(ts[-1]))
        joined = ts if self._prev is None else np.concatenate([[self._prev], ts])
        steps = np.diff(joined)
        limit = int(self.interval_s * US * 1.5)
        long = steps[steps > limit]
        self.gaps += len(long)
        self.gap_s += int((long.sum() - len(long) * self.interval_s * US) // US)
        self._prev = int(ts[-1])
        if additive:
            self.total += float(values.sum())


@dataclass
class FileReport:
    path: str
    format: str
    dry_run: bool
    notes: list[str] = field(default_factory=list)
    dst: list[str] = field(default_factory=list)
    channels: dict[str, ChannelStats] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # column not imported -> why
    stored: int = 0
    identical: int = 0
    kept: int = 0
    replaced: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(c.rows for c in self.channels.values())

    def to_dict(self) -> dict:
        return {
            "path": self.path, "format": self.format, "dry_run": self.dry_run,
            "notes": self.notes, "dst": self.dst, "rows": self.rows, "stored": self.stored,
            "not_imported": [{"column": k, "why": v} for k, v in self.skipped.items()],
            "identical": self.identical, "kept": self.kept, "replaced": self.replaced,
            "seconds": round(self.seconds, 3),
            "channels": [{k: (iso(v) if k.endswith("_us") else v)
                          for k, v in vars(c).items() if not k.startswith("_")}
                         for c in self.channels.values()],
        }

    def text(self) -> str:
        verb = "would store" if self.dry_run else "stored"
        lines = [f"{self.path}: {self.format}"]
        lines += [f"  · {n}" for n in self.notes]
        for c in self.channels.values():
            span = (f"{iso(c.first_us)} → {iso(c.last_us)}" if c.first_us is not None
                    else "no readings")
            meter = "new meter" if c.new_meter or c.meter_id is None else f"meter #{c.meter_id}"
            lines.append(f"  {c.name} [{c.unit}, {c.kind}, {c.semantics}, every "
                         f"{_duration(c.interval_s)}] → {meter}")
            extra = f", total {c.total:,.3f} {c.unit}" if c.total else ""
            lines.append(f"      {c.rows:,} readings {span} (UTC); {c.gaps:,} gap(s) "
                         f"({_duration(c.gap_s)} missing), {c.empty:,} empty value(s), "
                         f"{c.duplicates:,} duplicate(s){extra}")
        lines += [f"  not imported: {name!r}: {why}" for name, why in self.skipped.items()]
        lines += [f"  DST: {d}" for d in self.dst]
        if self.dry_run:  # nothing was compared with what is stored: say what was read
            lines.append(f"  would store up to {self.rows:,} reading(s) (a preview does not "
                         f"compare with readings already stored) ({self.seconds:.2f} s)")
        else:
            lines.append(f"  {verb} {self.stored:,} reading(s); {self.identical:,} already "
                         f"stored with the same value; {self.kept:,} differing kept, "
                         f"{self.replaced:,} replaced ({self.seconds:.2f} s)")
        return "\n".join(lines)


def iso(us) -> str | None:
    if us is None:
        return None
    return datetime.fromtimestamp(us / US, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")


def _duration(seconds: int) -> str:
    if seconds % 86400 == 0 and seconds:
        return f"{seconds // 86400} d"
    if seconds % 3600 == 0 and seconds:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"
