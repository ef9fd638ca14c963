"""Sites and meters of the organisation pulled into a workspace before it pushes, so every
laptop files its readings under the same site and meter UUIDs. The server wins on names, floor
area and address unless the user keeps the local ones (which the push then sends). A site's
time zone and a meter's unit, kind and semantics are never overwritten: they decide how the
readings already stored are read, so a difference is reported for a person to settle.
"""

from __future__ import annotations

from dataclasses import replace

from energize_desktop.core.model import Meter, Site
from energize_desktop.storage.api import WorkspaceAPI


def pull(ws: WorkspaceAPI, conn, result, keep_local: bool = False) -> None:
    """Into `result` (a definitions.PullResult): what was added, updated or in conflict."""
    _sites(ws, conn, result, keep_local)
    _meters(ws, conn, result, keep_local)


def _sites(ws: WorkspaceAPI, conn, result, keep_local: bool) -> None:
    rows = conn.execute("SELECT uid::text, name, timezone, floor_area_m2, coalesce(address, '') "
                        "FROM energize.sites ORDER BY name").fetchall()
    local = {s.uid: s for s in ws.sites()}
    for uid, name, tz, area, address in rows:
        mine = local.get(uid)
        if mine is None:
            if any(s.name == name for s in local.values()):
                result.conflicts.append(f"site {name!r}: a local site of that name is another "
                                        "site (another UUID); not pulled")
                continue
            local[uid] = ws.add_site(Site(name, tz, address, floor_area_m2=area, uid=uid))
            result.added.append(f"site {name!r}")
            continue
        if mine.timezone != tz:
            result.conflicts.append(f"site {mine.name!r}: time zone {mine.timezone} here, {tz} on "
                                    "the server; kept (it decides the local days of the readings)")
        theirs = replace(mine, name=name, floor_area_m2=area, address=address)
        _settle(ws.update_site, mine, theirs, f"site {mine.name!r}", result, keep_local)


def _meters(ws: WorkspaceAPI, conn, result, keep_local: bool) -> None:
    rows = conn.execute("SELECT uid::text, site_uid::text, name, kind, unit, semantics, "
                        "interval_s FROM energize.meters ORDER BY name").fetchall()
    sites, local = {s.uid: s for s in ws.sites()}, {m.uid: m for m in ws.meters()}
    for uid, site_uid, name, kind, unit, semantics, interval_s in rows:
        mine, site = local.get(uid), sites.get(site_uid)
        if mine is None:
            if site is None:
                continue  # its site was not pulled (a conflict already reported)
            if any(m.name == name and m.site_id == site.id for m in local.values()):
                result.conflicts.append(f"meter {name!r} at {site.name!r}: a local meter of "
                                        "that name is another meter; not pulled")
                continue
            local[uid] = ws.add_meter(Meter(name, kind, unit, semantics, site_id=site.id,
                                            interval_s=interval_s, uid=uid))
            result.added.append(f"meter {name!r}")
            continue
        fixed = (mine.kind.value, mine.unit, mine.semantics.value)
        if fixed != (kind, unit, semantics):
            result.conflicts.append(f"meter {mine.name!r}: {'/'.join(fixed)} here, "
                                    f"{kind}/{unit}/{semantics} on the server; kept (the stored "
                                    "readings are read with it)")
        _settle(ws.update_meter, mine, replace(mine, name=name), f"meter {mine.name!r}", result,
                keep_local)


def _settle(update, mine, theirs, label: str, result, keep_local: bool) -> None:
    if theirs == mine:
        return
    if keep_local:
        result.conflicts.append(f"{label}: differs from the server's; kept local (and pushed)")
        return
    update(theirs)
    result.updated.append(label)
    result.conflicts.append(f"{label}: differed from the server's; the server's taken "
                            "(sync --keep-local to keep yours)")
