"""The terms figures are priced and counted on, kept the same way from the CLI and the window:
a tariff checked then kept (the first of its fuel becomes that fuel's default), a set of dated
carbon factors (an open end closed by the next factor), an alert rule checked then kept."""

from __future__ import annotations

from dataclasses import replace

from energize_desktop.analytics.alert_rules import Rule
from energize_desktop.analytics.carbon import parse_factors
from energize_desktop.analytics.tariffs import Tariff, parse_tariff
from energize_desktop.jobs import ledger
from energize_desktop.storage.alerts import AlertStore
from energize_desktop.storage.api import WorkspaceAPI
from energize_desktop.storage.energy_terms import CarbonStore, TariffStore


def keep_tariff(ws: WorkspaceAPI, definition: dict, where: str) -> tuple[Tariff, str]:
    """Check and keep a tariff; the default tariff of its fuel afterwards (this one when it is
    the fuel's first)."""
    t = parse_tariff(definition, where)
    TariffStore(ws).save(t.name, definition)
    chosen = ledger.default_tariff(ws, t.fuel)
    if chosen is None or chosen not in ledger.tariff_names(ws, t.fuel):
        ledger.set_default_tariff(ws, t.name)
        chosen = t.name
    return t, chosen


def keep_factors(ws: WorkspaceAPI, name: str, rows: list[dict]) -> list:
    """Replace a factor set's dated rows (checked first; an open end runs to the next row)."""
    factors = close_open_ends(parse_factors(rows, f"carbon factors {name!r}"))
    CarbonStore(ws).save_factors(name, factors)
    return factors


def close_open_ends(factors: list) -> list:
    """A factor without an end runs until the next one starts (factors are yearly tables)."""
    out = []
    for a, b in zip(factors, factors[1:] + [None]):
        if b is not None and (a.valid_to is None or a.valid_to > b.valid_from):
            a = replace(a, valid_to=b.valid_from)
        out.append(a)
    return out


def keep_rule(ws: WorkspaceAPI, rule: Rule, replacing: int | None = None) -> int:
    """Keep an alert rule (or replace the one with id `replacing`); its id."""
    text, store = rule.to_json(), AlertStore(ws)
    if replacing is not None:
        store.replace_rule(replacing, text, rule.meter_id, rule.site_id, enabled=True)
        return replacing
    return store.add_rule(rule.name, text, meter_id=rule.meter_id, site_id=rule.site_id)
