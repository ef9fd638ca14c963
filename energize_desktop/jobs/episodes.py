"""One fault, said once: an alarm on a sub-meter is usually seen again on its parent and on a
virtual total that adds it. Alarms that overlap in time on meters related that way (one inside
the other, or a term of the other's formula — followed up the tree) are one episode, led by the
most specific meter (the one none of the others is inside), the largest energy at stake first
among equals. Findings (severity info) are never grouped."""

from __future__ import annotations

from dataclasses import dataclass

from energize_desktop.storage.api import WorkspaceAPI
from energize_desktop.storage.queries import formula_terms


@dataclass(frozen=True)
class Episode:
    lead: object  # the Event shown
    also: tuple  # the Events on related meters at the same time, hidden under it


def containers(ws: WorkspaceAPI) -> dict[int, set[int]]:
    """Meter id -> the ids of every meter that contains it (parents, virtual meters adding
    it, and theirs in turn)."""
    meters = ws.meters()
    direct: dict[int, set[int]] = {m.id: set() for m in meters}
    for m in meters:
        if m.parent_id is not None:
            direct[m.id].add(m.parent_id)
        if m.formula:
            for term, _scale in formula_terms(ws, m.formula):
                direct.setdefault(term, set()).add(m.id)
    out: dict[int, set[int]] = {}
    for mid in direct:
        seen, todo = set(), list(direct[mid])
        while todo:
            up = todo.pop()
            if up not in seen and up != mid:
                seen.add(up)
                todo.extend(direct.get(up, ()))
        out[mid] = seen
    return out


def episodes(events: list, inside: dict[int, set[int]]) -> list[Episode]:
    """Alarms grouped into episodes (each alarm in exactly one); findings one each."""
    alarms = [e for e in events if e.severity.value != "info" and e.meter_id is not None]
    group = list(range(len(alarms)))

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for i, a in enumerate(alarms):
        for j in range(i + 1, len(alarms)):
            b = alarms[j]
            related = a.meter_id in inside.get(b.meter_id, ()) or \
                b.meter_id in inside.get(a.meter_id, ())
            if related and a.overlaps(b.start_us, b.end_us):
                group[root(j)] = root(i)
    members: dict[int, list] = {}
    for i, a in enumerate(alarms):
        members.setdefault(root(i), []).append(a)
    out = [_episode(m, inside) for m in members.values()]
    grouped = {id(e) for e in alarms}
    return out + [Episode(e, ()) for e in events if id(e) not in grouped]


def _episode(members: list, inside: dict[int, set[int]]) -> Episode:
    ids = {e.meter_id for e in members}

    def specific(e) -> tuple:  # contains none of the others first; then the most at stake
        holds_another = any(e.meter_id in inside.get(other, ()) for other in ids)
        return (holds_another, -abs(e.stake or 0.0), -e.score)

    lead = min(members, key=specific)
    return Episode(lead, tuple(e for e in members if e is not lead))
