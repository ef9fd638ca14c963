"""Scoring detectors against labelled hours: event-level and point-level F1.

Event level, as the LEAD benchmark counts it: a labelled event is found if any of its hours is
flagged; an alarm is correct if it overlaps a labelled event.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from energize_desktop.analytics.events import runs


@dataclass(frozen=True)
class Score:
    found: int  # labelled events with at least one flagged step
    labelled: int
    correct: int  # alarms overlapping a labelled event
    alarms: int
    tp_steps: int
    flagged_steps: int
    labelled_steps: int

    @staticmethod
    def _f1(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.alarms if self.alarms else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 0.0

    @property
    def event_f1(self) -> float:
        return self._f1(self.precision, self.recall)

    @property
    def point_f1(self) -> float:
        p = self.tp_steps / self.flagged_steps if self.flagged_steps else 0.0
        r = self.tp_steps / self.labelled_steps if self.labelled_steps else 0.0
        return self._f1(p, r)

    def __add__(self, other: "Score") -> "Score":
        return Score(*(a + b for a, b in zip(self._fields(), other._fields())))

    def _fields(self):
        return (self.found, self.labelled, self.correct, self.alarms, self.tp_steps,
                self.flagged_steps, self.labelled_steps)


def score(alarms: list[tuple[int, int]], flagged: np.ndarray, labels: np.ndarray) -> Score:
    """`alarms` as (start, end) step ranges; `flagged` the steps a detector marked."""
    labels = np.asarray(labels, bool)
    flagged = np.asarray(flagged, bool)
    in_alarm = np.zeros(len(labels), bool)
    for a, b in alarms:
        in_alarm[a:b] = True
    events = runs(labels)
    found = sum(bool(in_alarm[a:b].any()) for a, b in events)
    correct = sum(bool(labels[a:b].any()) for a, b in alarms)
    return Score(found, len(events), correct, len(alarms), int((flagged & labels).sum()),
                 int(flagged.sum()), int(labels.sum()))


def score_flags(flagged: np.ndarray, labels: np.ndarray) -> Score:
    """Each run of flagged steps is one alarm."""
    return score([tuple(r) for r in runs(flagged)], flagged, labels)
