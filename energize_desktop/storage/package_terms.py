"""What a data package carries beside readings, so that a workspace built from it gives the same
figures: tariffs and which one is each fuel's default, emission factor sets (dated and hourly),
alert rules, baselines and detection settings of the packaged meters. Everything is plain JSON,
checked before anything is written and restored in the import's one transaction; ids are the
package's and are mapped to the new workspace's on the way in."""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

import numpy as np

from energize_desktop.core.errors import ValidationError
from energize_desktop.storage import metadata
from energize_desktop.storage.alerts import AlertStore
from energize_desktop.storage.anomalies import AnomalyStore
from energize_desktop.storage.baselines import BaselineStore
from energize_desktop.storage.energy_terms import CarbonStore, TariffStore

KEYS = ("tariffs", "default_tariffs", "carbon", "alert_rules", "baselines", "detector_settings")


def terms_of(ws, meter_ids: set[int], site_ids: set[int]) -> dict:
    cur = ws.cursor()
    tariffs = [{"name": n, "definition": TariffStore(ws).load(n), "prices": _prices(ws, n)}
               for n in TariffStore(ws).names()]
    carbon = []
    store = CarbonStore(ws)
    for name in store.names():
        hourly = store.hourly(name)
        carbon.append({"name": name, "factors": store.factors(name),
                       "hourly": None if hourly is None else {
                           "ts": hourly[0].tolist(), "kg_per_kwh": hourly[1].tolist(),
                           "source": hourly[2]}})
    rules = [{k: r[k] for k in ("name", "meter_id", "site_id", "rule", "enabled")}
             for r in AlertStore(ws).rule_rows()
             if r["meter_id"] in meter_ids or (r["meter_id"] is None and r["site_id"] in site_ids)]
    baselines = [dict(zip(("name", "meter_id", "temperature_meter_id", "granularity", "model"), r))
                 for r in cur.execute("SELECT name, meter_id, temperature_meter_id, granularity, "
                                      "model FROM baselines ORDER BY id").fetchall()
                 if r[1] in meter_ids and (r[2] is None or r[2] in meter_ids)]
    settings = [{"meter_id": m, "settings": s} for m, s in cur.execute(
        "SELECT meter_id, settings FROM detector_settings ORDER BY meter_id").fetchall()
        if m in meter_ids]
    return {"tariffs": tariffs, "default_tariffs": metadata.DEFAULT_TARIFFS.get(ws),
            "carbon": carbon, "alert_rules": rules, "baselines": baselines,
            "detector_settings": settings}


def _prices(ws, name: str) -> dict | None:
    prices = TariffStore(ws).prices(name)
    return None if prices is None else {"ts": prices[0].tolist(),
                                        "per_kwh": prices[1].tolist(), "step_s": prices[2]}


def check_terms(where: str, terms, meter_ids: set, site_ids: set) -> None:
    """The shape of every entry and that its references are in the package."""
    if terms is None:
        return
    if not isinstance(terms, dict):
        raise ValidationError(f"{where}: 'terms': expected an object")
    for key in KEYS:
        value = terms.get(key)
        if value is not None and not isinstance(value, dict if key == "default_tariffs" else list):
            raise ValidationError(f"{where}: terms.{key}: expected a "
                                  f"{'object' if key == 'default_tariffs' else 'list'}")
    for i, t in enumerate(terms.get("tariffs") or []):
        if not isinstance(t, dict) or not isinstance(t.get("name"), str) or \
                not isinstance(t.get("definition"), dict):
            raise ValidationError(f"{where}: terms.tariffs[{i}]: expected a name and a definition")
        p = t.get("prices")
        if p is not None and (not isinstance(p, dict) or p.get("step_s") not in (900, 1800, 3600)
                              or len(p.get("ts") or []) != len(p.get("per_kwh") or [])):
            raise ValidationError(f"{where}: terms.tariffs[{i}].prices: expected ts and per_kwh "
                                  "of one length and step_s 900, 1800 or 3600")
    for i, c in enumerate(terms.get("carbon") or []):
        if not isinstance(c, dict) or not isinstance(c.get("name"), str) or \
                not isinstance(c.get("factors"), list):
            raise ValidationError(f"{where}: terms.carbon[{i}]: expected a name and factors")
        hourly = c.get("hourly")
        if hourly is not None and (not isinstance(hourly, dict) or
                                   len(hourly.get("ts") or []) != len(hourly.get("kg_per_kwh")
                                                                      or [])):
            raise ValidationError(f"{where}: terms.carbon[{i}].hourly: ts and kg_per_kwh must "
                                  "be lists of one length")
    for key, fields in (("alert_rules", ("meter_id",)), ("baselines", ("meter_id",
                                                                        "temperature_meter_id")),
                        ("detector_settings", ("meter_id",))):
        for i, entry in enumerate(terms.get(key) or []):
            if not isinstance(entry, dict):
                raise ValidationError(f"{where}: terms.{key}[{i}]: expected an object")
            for f in fields:
                if entry.get(f) is not None and entry[f] not in meter_ids:
                    raise ValidationError(f"{where}: terms.{key}[{i}].{f} {entry[f]!r} is not a "
                                          "meter of the package")
            if key == "alert_rules" and entry.get("site_id") is not None and \
                    entry["site_id"] not in site_ids:
                raise ValidationError(f"{where}: terms.alert_rules[{i}].site_id "
                                      f"{entry['site_id']!r} is not a site of the package")


def restore_terms(ws, terms: dict | None, meter_ids: dict, site_ids: dict) -> dict:
    """Store the package's terms (inside the caller's transaction); returns counts. A tariff
    or factor set of the same name already in the workspace is kept, not overwritten."""
    if not terms:
        return {}
    tariffs, carbon = TariffStore(ws), CarbonStore(ws)
    kept_tariffs = set(tariffs.names())
    added = [t for t in terms.get("tariffs") or [] if t["name"] not in kept_tariffs]
    for t in added:
        tariffs.save(t["name"], t["definition"])
        if t.get("prices"):
            p = t["prices"]
            tariffs.save_prices(t["name"], np.asarray(p["ts"], np.int64),
                                np.asarray(p["per_kwh"], float), int(p["step_s"]))
    defaults = metadata.DEFAULT_TARIFFS.get(ws)
    for fuel, name in (terms.get("default_tariffs") or {}).items():
        defaults.setdefault(fuel, name)
    metadata.DEFAULT_TARIFFS.set(ws, defaults)
    kept_sets = set(carbon.names())
    sets = [c for c in terms.get("carbon") or [] if c["name"] not in kept_sets]
    for c in sets:
        carbon.save_factors(c["name"], [_factor(c["name"], i, f)
                                        for i, f in enumerate(c["factors"])])
        if c.get("hourly"):
            h = c["hourly"]
            carbon.save_hourly(c["name"], np.asarray(h["ts"], np.int64),
                               np.asarray(h["kg_per_kwh"], float), str(h.get("source", "")))
    alerts = AlertStore(ws)
    for r in terms.get("alert_rules") or []:
        meter, site = meter_ids.get(r.get("meter_id")), site_ids.get(r.get("site_id"))
        rule = json.loads(r["rule"])
        rule.update(meter_id=meter, site_id=site)
        rid = alerts.add_rule(r["name"], json.dumps(rule), meter, site)
        if r.get("enabled") is False:
            alerts.set_enabled(rid, False)
    store = BaselineStore(ws)
    for b in terms.get("baselines") or []:
        store.save(b["name"], meter_ids[b["meter_id"]],
                   meter_ids.get(b.get("temperature_meter_id")), b["granularity"], b["model"])
    for s in terms.get("detector_settings") or []:
        AnomalyStore(ws).set_settings_json(meter_ids[s["meter_id"]], s["settings"])
    return {"tariffs": len(added), "factor_sets": len(sets),
            "alert_rules": len(terms.get("alert_rules") or []),
            "baselines": len(terms.get("baselines") or [])}


def _factor(name: str, i: int, f) -> SimpleNamespace:
    """One dated factor row as the carbon store writes it, its fields checked."""
    where = f"terms.carbon {name!r} factors[{i}]"
    try:
        valid_to = f.get("valid_to")
        row = SimpleNamespace(valid_from=date.fromisoformat(f["valid_from"]),
                              valid_to=date.fromisoformat(valid_to) if valid_to else None,
                              kg_per_kwh=float(f["kg_per_kwh"]), source=str(f.get("source", "")))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationError(f"{where}: expected valid_from (YYYY-MM-DD), kg_per_kwh ({exc})"
                              ) from None
    if not row.kg_per_kwh >= 0:
        raise ValidationError(f"{where}: kg_per_kwh must be a number ≥ 0")
    return row
