"""Shared definitions between a workspace and the server: tariffs and emission factor sets.
`share` uploads the workspace's; `pull` brings the organisation's down, reporting each
conflict — the server wins unless the user keeps the local one."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

KINDS = ("tariff", "carbon")


@dataclass
class PullResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # "kind name: kept local" or "server won"


def local_definitions(ws) -> dict[tuple[str, str], object]:
    from energize_desktop.storage.energy_terms import CarbonStore, TariffStore

    tariffs, carbon = TariffStore(ws), CarbonStore(ws)
    out = {("tariff", n): tariffs.load(n) for n in tariffs.names()}
    for name in carbon.names():
        factors = carbon.factors(name)
        if factors:
            out[("carbon", name)] = factors
    return out


def share(ws, conn, org: str) -> int:
    rows = [(org, kind, name, json.dumps(body)) for (kind, name), body in
            local_definitions(ws).items()]
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany("INSERT INTO energize.definitions (org, kind, name, body) VALUES "
                        "(%s, %s, %s, %s::jsonb) ON CONFLICT (org, kind, name) DO UPDATE SET "
                        "body = excluded.body, updated_by = session_user, updated_at = now()",
                        rows)
    return len(rows)


def pull(ws, conn, keep_local: bool = False) -> PullResult:
    from energize_desktop.analytics.carbon import parse_factors
    from energize_desktop.analytics.tariffs import parse_tariff
    from energize_desktop.storage.energy_terms import CarbonStore, TariffStore

    local = local_definitions(ws)
    result = PullResult()
    rows = conn.execute("SELECT kind, name, body, updated_by FROM energize.definitions "
                        "WHERE kind = ANY(%s) ORDER BY kind, name", [list(KINDS)]).fetchall()
    for kind, name, body, who in rows:
        label = f"{kind} {name!r}"
        mine = local.get((kind, name))
        if mine == body:
            continue
        if mine is not None and keep_local:
            result.conflicts.append(f"{label}: differs from the server's (by {who}); kept local")
            continue
        if kind == "tariff":
            parse_tariff(body, f"server tariff {name!r}")  # refuse a broken one, clearly
            TariffStore(ws).save(name, body)
        else:
            CarbonStore(ws).save_factors(name, parse_factors(body, f"server factors {name!r}"))
        if mine is None:
            result.added.append(label)
        else:
            result.updated.append(label)
            result.conflicts.append(f"{label}: differed from the server's (by {who}); the "
                                    "server's taken (sync --keep-local to keep yours)")
    return result
