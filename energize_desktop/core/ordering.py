"""Putting rows in (meter, time) order: the one sort the writer, the importer and the rollups use.

Rows usually arrive as a few sorted runs joined together; a stable sort of one packed int64
finds the runs and merges them in linear time, where lexsort would sort from scratch.
"""

from __future__ import annotations

import numpy as np


def is_sorted(meter: np.ndarray, key: np.ndarray) -> bool:
    """(meter, key) non-decreasing."""
    if len(meter) < 2:
        return True
    dm = np.diff(meter)
    return bool(((dm > 0) | ((dm == 0) & (np.diff(key) >= 0))).all())


def sort_order(meter: np.ndarray, key: np.ndarray, step: int = 1) -> np.ndarray | None:
    """A stable order that sorts rows by (meter, key), or None if they already are. `step`: keys
    are whole multiples of it (µs keys of quarter hours), which lets wider spans be packed."""
    if is_sorted(meter, key):
        return None
    rel = key - key.min()
    if step > 1 and rel.max() >= 1 << 40:
        rel = rel // step
    if rel.max() < 1 << 40 and (not len(meter) or int(meter.max()) < 1 << 22):
        return np.argsort((meter.astype(np.int64) << 40) | rel, kind="stable")
    return np.lexsort((key, meter))  # stable as well
