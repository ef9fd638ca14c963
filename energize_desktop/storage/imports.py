"""Importing files: every write of one import in one transaction, compared with what is stored.

A file that fails half-way leaves the workspace exactly as it was: the database transaction is
rolled back and the in-memory rollup state is put back as it was before the import began.
Readings already stored with the same value are skipped, so a file imported twice stores nothing
twice; a different value for a stored timestamp is a conflict, settled by the caller's policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pyarrow as pa

from energize_desktop.core.errors import EnergizeError
from energize_desktop.core.incremental import Batch
from energize_desktop.storage.frames import arrow_array, registered
from energize_desktop.storage.transaction import transaction
from energize_desktop.storage.writer import to_batch

MAX_CONFLICTS_KEPT = 1000


class OnConflict(StrEnum):
    ABORT = "abort"  # stop and change nothing (the default)
    KEEP = "keep"  # keep the stored value, skip the file's
    REPLACE = "replace"  # the file's value replaces the stored one


class ImportConflictError(EnergizeError):
    """The file has different values for readings already stored."""


@dataclass(frozen=True)
class Conflict:
    meter_id: int
    ts_us: int
    stored: float
    new: float


@dataclass
class AppendOutcome:
    stored: int = 0  # readings written (new or replacing)
    identical: int = 0  # already stored with the same value: skipped
    kept: int = 0  # differing values where the stored one was kept
    replaced: int = 0
    conflicts: list[Conflict] = field(default_factory=list)

    def add(self, other: "AppendOutcome") -> None:
        self.stored += other.stored
        self.identical += other.identical
        self.kept += other.kept
        self.replaced += other.replaced
        room = MAX_CONFLICTS_KEPT - len(self.conflicts)
        self.conflicts.extend(other.conflicts[:max(room, 0)])


class ImportSession:
    """`with ImportSession(ws) as s: s.append(...)`; commits on success, else rolls back.

    Holds the writer's lock for its duration: live acquisition waits (its readings are buffered
    by the file readers) rather than interleaving with a half-imported file.
    """

    def __init__(self, ws, on_conflict: OnConflict = OnConflict.ABORT):
        self.ws = ws
        self.on_conflict = OnConflict(on_conflict)
        self.outcome = AppendOutcome()

    def __enter__(self) -> "ImportSession":
        self._lock = self.ws.state.lock
        self._lock.acquire()
        try:
            self._saved = self.ws.state.current
            self._tx = transaction(self.ws.cursor())
            self._tx.__enter__()
        except BaseException:
            self._lock.release()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        failed = exc_type is not None
        try:
            if not failed:
                self.ws.writer().flush()  # closed rollups land with the readings
            self._tx.__exit__(exc_type, exc, tb)
        except BaseException:
            failed = True
            raise
        finally:
            if failed:
                self.ws.state.current = self._saved
                self.ws.catalog_changed()
            self._lock.release()
        return False

    def add_meter(self, meter):
        return self.ws.add_meter(meter)

    def add_meters(self, meters):
        return self.ws.add_meters(meters)

    def append(self, data) -> AppendOutcome:
        """Store readings not yet stored; settle differing values by the session's policy."""
        writer = self.ws.writer()
        batch = to_batch(data, writer._known_ids())
        outcome = AppendOutcome()
        if not len(batch):
            return outcome
        index, old = self._stored_values(batch)
        if len(index):
            batch, outcome = self._settle(batch, index, old)
        if len(batch):
            writer.append({"meter_id": batch.meter, "ts": batch.ts, "value": batch.value,
                           "quality": batch.quality})
        outcome.stored = len(batch)
        self.outcome.add(outcome)
        return outcome

    def _stored_values(self, batch: Batch) -> tuple[np.ndarray, np.ndarray]:
        """Rows of `batch` whose (meter, ts) is stored, and the stored values."""
        last = self.ws.state.current.last_ts
        known = batch.meter < len(last)
        maybe = np.zeros(len(batch), bool)
        maybe[known] = batch.ts[known] <= last[batch.meter[known]]
        rows = np.flatnonzero(maybe)
        if not len(rows):
            return rows, np.zeros(0)
        table = pa.table({"i": arrow_array(rows, np.int64),
                          "meter_id": arrow_array(batch.meter[rows], np.int32),
                          "ts": arrow_array(batch.ts[rows], "datetime64[us]")})
        cur = self.ws.cursor()
        with registered(cur, table, "incoming") as name:
            found = cur.sql(f"SELECT n.i, r.value FROM {name} n JOIN readings r "
                            "ON r.meter_id = n.meter_id AND r.ts = n.ts ORDER BY n.i").fetchnumpy()
        return np.asarray(found["i"], np.int64), np.asarray(found["value"], np.float64)

    def _settle(self, batch: Batch, index, old) -> tuple[Batch, AppendOutcome]:
        new = batch.value[index]
        same = np.abs(new - old) <= 1e-9 * np.maximum(1.0, np.abs(old))
        differ = index[~same]
        outcome = AppendOutcome(identical=int(same.sum()))
        outcome.conflicts = [Conflict(int(batch.meter[i]), int(batch.ts[i]), float(o),
                                      float(batch.value[i]))
                             for i, o in zip(differ[:MAX_CONFLICTS_KEPT], old[~same])]
        if len(differ) and self.on_conflict is OnConflict.ABORT:
            raise ImportConflictError(self._conflict_message(len(differ), outcome.conflicts),
                                      field="on_conflict")
        drop = index[same] if self.on_conflict is OnConflict.REPLACE else index
        if self.on_conflict is OnConflict.REPLACE:
            outcome.replaced = len(differ)
        else:
            outcome.kept = len(differ)
        keep = np.ones(len(batch), bool)
        keep[drop] = False
        return batch.take(keep), outcome

    def _conflict_message(self, count: int, conflicts: list[Conflict]) -> str:
        names = {m.id: m.name for m in self.ws.meters()}
        shown = "; ".join(
            f"{names.get(c.meter_id, c.meter_id)} at "
            f"{np.datetime64(c.ts_us, 'us').astype(object):%Y-%m-%d %H:%M:%S} UTC: "
            f"stored {c.stored:g}, file {c.new:g}" for c in conflicts[:5])
        return (f"{count} reading(s) differ from values already stored ({shown}); nothing was "
                "imported. Choose to keep the stored values or replace them with the file's")
