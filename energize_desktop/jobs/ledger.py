"""The one place that prices energy and counts its carbon. The Overview, `kpis`, `cost`,
`carbon`, the recommendations' evidence and the report all ask here, so a figure shown in two
places is the same figure, and "no tariff" is worded once.
"""

from __future__ import annotations

from energize_desktop.analytics.carbon import (
    Emissions,
    HourlyFactors,
    emissions,
    parse_factors,
)
from energize_desktop.analytics.costs import CostResult, cost
from energize_desktop.analytics.tariffs import Tariff, parse_tariff
from energize_desktop.core.errors import ValidationError
from energize_desktop.jobs.energy import Energy
from energize_desktop.storage.api import WorkspaceAPI
from energize_desktop.storage.energy_terms import CarbonStore, TariffStore
from energize_desktop.storage.metadata import DEFAULT_TARIFF

NO_TARIFF = "no tariff kept in the workspace"


def no_factors(factor_set: str) -> str:
    return f"no emission factors kept for {factor_set}"


def tariff_names(ws: WorkspaceAPI) -> list[str]:
    return TariffStore(ws).names()


def tariff(ws: WorkspaceAPI, name: str | None = None) -> Tariff:
    """The tariff named, else the workspace's default, else its only one."""
    store = TariffStore(ws)
    name = name or DEFAULT_TARIFF.get(ws)
    if name is None:
        names = store.names()
        if not names:
            raise ValidationError(NO_TARIFF, field="tariff")
        if len(names) > 1:
            raise ValidationError(f"{len(names)} tariffs kept ({', '.join(names)}) and none is "
                                  "the default: choose one", field="tariff")
        name = names[0]
    return parse_tariff(store.load(name), f"tariff {name!r}")


def carbon_factors(ws: WorkspaceAPI, factor_set: str) -> tuple[list, HourlyFactors | None]:
    """(dated factors, hourly series or None) of the set — empty when none is kept."""
    store = CarbonStore(ws)
    factors = parse_factors(store.factors(factor_set), f"carbon factors {factor_set!r}")
    hourly = store.hourly(factor_set)
    return factors, HourlyFactors(*hourly) if hourly else None


def cost_of(ws: WorkspaceAPI, energy: Energy, tariff_name: str | None = None, export_kwh=None,
            as_if: bool = False) -> CostResult:
    """What `energy` cost on the tariff (see `tariff`); raises ValidationError without one."""
    return cost_on(energy, tariff(ws, tariff_name), export_kwh, as_if)


def cost_on(energy: Energy, on: Tariff, export_kwh=None, as_if: bool = False) -> CostResult:
    return cost(energy.ts_us, energy.kwh, energy.step_s, energy.tz, on, export_kwh, as_if=as_if)


def cost_or_note(ws: WorkspaceAPI, energy: Energy, tariff_name: str | None = None
                 ) -> tuple[CostResult | None, str | None]:
    """(cost, None), or (None, why there is no cost)."""
    try:
        return cost_of(ws, energy, tariff_name), None
    except ValidationError as exc:
        return None, str(exc)


def carbon_of(ws: WorkspaceAPI, energy: Energy, factor_set: str = "electricity") -> Emissions | None:
    """kg CO2e of `energy` on the set's factors in force; None when the set holds none."""
    factors, hourly = carbon_factors(ws, factor_set)
    if not factors and hourly is None:
        return None
    return emissions(energy.ts_us, energy.kwh, energy.tz, factors, hourly)
