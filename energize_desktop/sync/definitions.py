"""Shared definitions between a workspace and the server: tariffs, emission factor sets and
alert rules (their meter or site by UUID). `share` uploads the workspace's; `pull` brings the
organisation's down, reporting each conflict — the server wins unless the user keeps the local
one."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from energize_desktop.storage.api import WorkspaceAPI

KINDS = ("tariff", "carbon", "alert_rule")


@dataclass
class PullResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # "kind name: kept local" or "server won"


def local_definitions(ws: WorkspaceAPI) -> dict[tuple[str, str], object]:
    from energize_desktop.storage.energy_terms import CarbonStore, TariffStore

    tariffs, carbon = TariffStore(ws), CarbonStore(ws)
    out = {("tariff", n): tariffs.load(n) for n in tariffs.names()}
    for name in carbon.names():
        factors = carbon.factors(name)
        if factors:
            out[("carbon", name)] = factors
    out.update(_alert_rules(ws))
    return out


def _alert_rules(ws: WorkspaceAPI) -> dict:
    from energize_desktop.storage.alerts import AlertStore

    meters = {m.id: m.uid for m in ws.meters()}
    sites = {s.id: s.uid for s in ws.sites()}
    out = {}
    for row in AlertStore(ws).rule_rows():
        rule = {k: v for k, v in json.loads(row["rule"]).items()
                if k not in ("meter_id", "site_id")}
        out[("alert_rule", row["name"])] = {
            "rule": rule, "meter_uid": meters.get(row["meter_id"]),
            "site_uid": sites.get(row["site_id"]), "enabled": bool(row["enabled"])}
    return out


def _save_rule(ws: WorkspaceAPI, name: str, body: dict) -> str | None:
    """The server's rule kept here; a reason when it cannot be (its meter is not here)."""
    from energize_desktop.analytics.alert_rules import Rule
    from energize_desktop.storage.alerts import AlertStore

    meter = next((m for m in ws.meters() if m.uid == body.get("meter_uid")), None)
    site = next((s for s in ws.sites() if s.uid == body.get("site_uid")), None)
    if meter is None and site is None:
        return "its meter or site is not in this workspace; not pulled"
    rule = Rule(**{**body["rule"], "name": name, "meter_id": meter.id if meter else None,
                   "site_id": None if meter else site.id})
    store = AlertStore(ws)
    mine = next((r for r in store.rule_rows() if r["name"] == name), None)
    rid = mine["id"] if mine else store.add_rule(name, rule.to_json(), rule.meter_id,
                                                 rule.site_id)
    store.replace_rule(rid, rule.to_json(), rule.meter_id, rule.site_id,
                       bool(body.get("enabled", True)))
    return None


def share(ws: WorkspaceAPI, conn, org: str) -> int:
    rows = [(org, kind, name, json.dumps(body)) for (kind, name), body in
            local_definitions(ws).items()]
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany("INSERT INTO energize.definitions (org, kind, name, body) VALUES "
                        "(%s, %s, %s, %s::jsonb) ON CONFLICT (org, kind, name) DO UPDATE SET "
                        "body = excluded.body, updated_by = session_user, updated_at = now()",
                        rows)
    return len(rows)


def pull(ws: WorkspaceAPI, conn, keep_local: bool = False, result: PullResult | None = None) -> PullResult:
    local = local_definitions(ws)
    result = result or PullResult()
    rows = conn.execute("SELECT kind, name, body, updated_by FROM energize.definitions "
                        "WHERE kind = ANY(%s) ORDER BY kind, name", [list(KINDS)]).fetchall()
    for kind, name, body, who in rows:
        label = f"{kind.replace('_', ' ')} {name!r}"
        mine = local.get((kind, name))
        if mine == body:
            continue
        if mine is not None and keep_local:
            result.conflicts.append(f"{label}: differs from the server's (by {who}); kept local")
            continue
        reason = _apply(ws, kind, name, body)
        if reason:
            result.conflicts.append(f"{label}: {reason}")
        elif mine is None:
            result.added.append(label)
        else:
            result.updated.append(label)
            result.conflicts.append(f"{label}: differed from the server's (by {who}); the "
                                    "server's taken (sync --keep-local to keep yours)")
    return result


def _apply(ws: WorkspaceAPI, kind: str, name: str, body) -> str | None:
    """The server's definition kept in the workspace (a broken one refused, clearly)."""
    from energize_desktop.analytics.carbon import parse_factors
    from energize_desktop.analytics.tariffs import parse_tariff
    from energize_desktop.storage.energy_terms import CarbonStore, TariffStore

    if kind == "tariff":
        parse_tariff(body, f"server tariff {name!r}")
        TariffStore(ws).save(name, body)
    elif kind == "carbon":
        CarbonStore(ws).save_factors(name, parse_factors(body, f"server factors {name!r}"))
    else:
        return _save_rule(ws, name, body)
    return None
