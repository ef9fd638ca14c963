"""Edits of a site or meter, recorded (who, when, field, old → new) and reversible: the record
is the undo history of the window and of `energize site|meter undo`."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from energize_desktop.core.errors import ValidationError
from energize_desktop.storage.transaction import transaction


@dataclass(frozen=True)
class Change:
    id: int
    at: datetime
    who: str
    object: str  # "site" or "meter"
    object_id: int
    field: str
    old: Any
    new: Any


def edit(ws, obj, changes: dict, who: str) -> tuple[object, list[Change]]:
    """Apply `changes` (field → value) to a site or meter, recording each one that differs;
    the object rebuilt first, so a bad value is refused before anything is written."""
    kind = "site" if obj.__class__.__name__ == "Site" else "meter"
    differs = {k: v for k, v in changes.items() if getattr(obj, k) != v}
    if not differs:
        return obj, []
    updated = replace(obj, **differs)  # its own checks name the field
    cur = ws.cursor()
    recorded = []
    with transaction(cur):
        (ws.update_site if kind == "site" else ws.update_meter)(updated)
        first = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM changes").fetchall()[0][0]
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        for i, (name, value) in enumerate(differs.items()):
            change = Change(first + i, now, who, kind, obj.id, name, getattr(obj, name), value)
            cur.execute("INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, FALSE)",
                        [change.id, now, who, kind, obj.id, name, _dump(change.old),
                         _dump(value)])
            recorded.append(change)
    # the catalog's cache was dropped inside the transaction; a reader on another thread may
    # have cached the old rows again before it committed: drop it once more, now committed
    ws.catalog_changed()
    return updated, recorded


def history(ws, kind: str | None = None, object_id: int | None = None,
            undone: bool = False) -> list[Change]:
    sql = "SELECT id, at_ts, who, object, object_id, field, old_value, new_value FROM changes " \
          "WHERE undone = ?"
    params: list = [undone]
    if kind:
        sql += " AND object = ? AND object_id = ?"
        params += [kind, object_id]
    rows = ws.cursor().execute(sql + " ORDER BY id", params).fetchall()
    return [Change(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), json.loads(r[7]))
            for r in rows]


def undo_last(ws, who: str, kind: str | None = None,
              object_id: int | None = None) -> list[Change]:
    """Undo the latest edit (every field changed at once) of the object, or of any object."""
    done = history(ws, kind, object_id)
    if not done:
        raise ValidationError("nothing to undo")
    last = done[-1]
    batch = [c for c in done if c.at == last.at and c.object == last.object
             and c.object_id == last.object_id]
    obj = ws.site(last.object_id) if last.object == "site" else ws.meter(last.object_id)
    edit(ws, obj, {c.field: _restore(c.field, c.old) for c in batch}, f"{who} (undo)")
    cur = ws.cursor()
    with transaction(cur):
        for c in batch:
            cur.execute("UPDATE changes SET undone = TRUE WHERE id = ?", [c.id])
        cur.execute("UPDATE changes SET undone = TRUE WHERE who = ? AND id > ?",
                    [f"{who} (undo)", last.id])
    return batch


def _dump(value) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value)


def _restore(field: str, value):
    return tuple(value) if field == "closures" and value is not None else value
