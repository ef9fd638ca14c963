"""The one ledger: the energy, cost, carbon and demand of a site or a meter over a local period,
per fuel and role. The Overview, `kpis`, `cost`, `carbon`, the recommendations' evidence and
the report all read it, so a figure shown in two places is the same figure.

Per fuel of a site: *import* (its top-level import meters; sub-meters are inside them),
*export*, *generation* and *consumption* = import + generation − export. Import is priced on a
tariff of its fuel only, export credited at that tariff's export rate, generation is never a
cost. Carbon counts import on the fuel's factor set. A gap is no data: coverage says how much of
the period has readings, and nothing missing is priced or counted as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from energize_desktop.analytics.carbon import (
    Emissions,
    HourlyFactors,
    emissions,
    parse_factors,
)
from energize_desktop.analytics.costs import CostResult, cost
from energize_desktop.analytics.tariffs import PriceSeries, Tariff, parse_tariff
from energize_desktop.core.errors import ValidationError
from energize_desktop.core.model import Role
from energize_desktop.jobs.energy import Energy, align, meter_energy, role_energy
from energize_desktop.storage.api import WorkspaceAPI
from energize_desktop.storage.energy_terms import CarbonStore, TariffStore
from energize_desktop.storage.metadata import DEFAULT_TARIFF, DEFAULT_TARIFFS


def no_tariff(fuel: str = "electricity") -> str:
    return f"no {fuel} tariff kept in the workspace"


NO_TARIFF = no_tariff()


def no_factors(factor_set: str) -> str:
    return f"no emission factors kept for {factor_set}"


# -- tariffs and factors ----------------------------------------------------------------------
def tariff_names(ws: WorkspaceAPI, fuel: str | None = None) -> list[str]:
    names = TariffStore(ws).names()
    if fuel is None:
        return names
    return [n for n in names if load_tariff(ws, n).fuel == fuel]


def load_tariff(ws: WorkspaceAPI, name: str) -> Tariff:
    """The tariff as kept, with its dynamic prices when it has any."""
    store = TariffStore(ws)
    t = parse_tariff(store.load(name), f"tariff {name!r}")
    prices = store.prices(name)
    return replace(t, prices=PriceSeries(*prices)) if prices else t


def default_tariff(ws: WorkspaceAPI, fuel: str) -> str | None:
    chosen = DEFAULT_TARIFFS.get(ws).get(fuel)
    if chosen is None and fuel == "electricity":
        chosen = DEFAULT_TARIFF.get(ws)  # kept by older versions: it was electricity's
    return chosen


def set_default_tariff(ws: WorkspaceAPI, name: str) -> Tariff:
    """The tariff becomes the default of its own fuel."""
    t = load_tariff(ws, name)
    defaults = DEFAULT_TARIFFS.get(ws)
    defaults[t.fuel] = name
    DEFAULT_TARIFFS.set(ws, defaults)
    return t


def tariff(ws: WorkspaceAPI, name: str | None = None, fuel: str = "electricity") -> Tariff:
    """The tariff named (it must price this fuel), else the fuel's default, else its only one.
    Raises ValidationError (field `tariff`) when there is none to choose."""
    if name:
        t = load_tariff(ws, name)
        if t.fuel != fuel:
            raise ValidationError(f"tariff {name!r} prices {t.fuel}, not {fuel}", field="tariff")
        return t
    name = default_tariff(ws, fuel)
    if name is None:
        names = tariff_names(ws, fuel)
        if not names:
            raise ValidationError(no_tariff(fuel), field="tariff")
        if len(names) > 1:
            raise ValidationError(f"{len(names)} {fuel} tariffs kept ({', '.join(names)}) and "
                                  "none is the default: choose one", field="tariff")
        name = names[0]
    t = load_tariff(ws, name)
    if t.fuel != fuel:  # an old default kept before tariffs had a fuel
        raise ValidationError(no_tariff(fuel), field="tariff")
    return t


def carbon_factors(ws: WorkspaceAPI, factor_set: str) -> tuple[list, HourlyFactors | None]:
    """(dated factors, hourly series or None) of the set — empty when none is kept."""
    store = CarbonStore(ws)
    factors = parse_factors(store.factors(factor_set), f"carbon factors {factor_set!r}")
    hourly = store.hourly(factor_set)
    return factors, HourlyFactors(*hourly) if hourly else None


# -- pricing and counting one series ----------------------------------------------------------
def fuel_of(energy: Energy) -> str:
    fuels = {m.fuel for m in energy.meters if m.fuel}
    return fuels.pop() if len(fuels) == 1 else "electricity"


def cost_of(ws: WorkspaceAPI, energy: Energy, tariff_name: str | None = None, export_kwh=None,
            as_if: bool = False) -> CostResult:
    """What `energy` (of one fuel) cost on a tariff of that fuel; raises ValidationError
    without one."""
    return cost_on(energy, tariff(ws, tariff_name, fuel_of(energy)), export_kwh, as_if)


def cost_on(energy: Energy, on: Tariff, export_kwh=None, as_if: bool = False) -> CostResult:
    priced_on = with_site_holidays(on, energy)
    result = cost(energy.ts_us, energy.kwh, energy.step_s, energy.tz, priced_on, export_kwh,
                  as_if=as_if)
    if priced_on is not on:
        result.notes.append(f"holiday rates on the site's {energy.calendar.source}")
    if not on.fuel_given:
        result.notes.append(f"tariff {on.name!r} names no fuel: read as electricity")
    return result


def with_site_holidays(on: Tariff, energy: Energy) -> Tariff:
    """A tariff that names no holidays of its own prices a site's public holidays as the
    site's calendar says (its closure days are the site's business, not the supplier's)."""
    if on.holidays or (on.definition or {}).get("holidays") is not None or \
            not energy.calendar.public_holidays:
        return on
    return replace(on, holidays=energy.calendar.public_holidays,
                   holiday_country=energy.calendar.source)


def cost_or_note(ws: WorkspaceAPI, energy: Energy, tariff_name: str | None = None
                 ) -> tuple[CostResult | None, str | None]:
    """(cost, None), or (None, why there is no cost). A generation or export meter is never a
    cost: it says so."""
    roles = {m.effective_role for m in energy.meters}
    if roles & {Role.GENERATION, Role.EXPORT}:
        return None, ("generation is not a cost" if Role.GENERATION in roles else
                      "export is credited on the site's import, not priced alone")
    try:
        return cost_of(ws, energy, tariff_name), None
    except ValidationError as exc:
        return None, str(exc)


def carbon_of(ws: WorkspaceAPI, energy: Energy, factor_set: str | None = None
              ) -> Emissions | None:
    """kg CO2e of `energy` on the set's factors in force (default: its fuel's set); None when
    the set holds none."""
    factors, hourly = carbon_factors(ws, factor_set or fuel_of(energy))
    if not factors and hourly is None:
        return None
    return emissions(energy.ts_us, energy.kwh, energy.tz, factors, hourly)


# -- the ledger of a site ---------------------------------------------------------------------
@dataclass
class FuelLedger:
    fuel: str
    imported: Energy | None = None  # what the site drew (the series tariffs and carbon use)
    exported: Energy | None = None
    generated: Energy | None = None
    cost: CostResult | None = None
    cost_note: str | None = None
    carbon: Emissions | None = None
    carbon_note: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def import_kwh(self) -> float | None:
        return _total(self.imported)

    @property
    def export_kwh(self) -> float | None:
        return _total(self.exported)

    @property
    def generation_kwh(self) -> float | None:
        return _total(self.generated)

    @property
    def consumed(self) -> Energy | None:
        """Import + generation − export per step: what the building used, whatever made it
        (a step where any of them is missing is a gap)."""
        base = self.imported if self.imported is not None else self.generated
        if base is None:
            return None
        kwh = np.zeros(len(base.kwh))
        for part, sign in ((self.imported, 1), (self.generated, 1), (self.exported, -1)):
            if part is not None:
                kwh = kwh + sign * (part.kwh if part is base else align(part, base))
        return Energy(base.name, base.ts_us, kwh, base.step_s, base.tz, base.meters, base.calendar)

    @property
    def consumption_kwh(self) -> float | None:
        return _total(self.consumed)

    @property
    def coverage(self) -> float:
        """Share of the period's steps with an import reading (0–1)."""
        e = self.imported if self.imported is not None else self.generated
        return float(np.isfinite(e.kwh).mean()) if e is not None and len(e.kwh) else 0.0

    @property
    def peak_kw(self) -> float | None:
        e = self.imported
        if e is None or not np.isfinite(e.kwh).any():
            return None
        return float(np.nanmax(e.kwh / (e.step_s / 3600)))

    @property
    def self_consumption(self) -> float | None:
        """Share of generation used on site (not exported)."""
        g = self.generation_kwh
        if not g:
            return None
        return max(0.0, min(1.0, (g - (self.export_kwh or 0.0)) / g))

    @property
    def self_sufficiency(self) -> float | None:
        """Share of consumption met by the site's own generation."""
        g, c = self.generation_kwh, self.consumption_kwh
        if not g or not c:
            return None
        return max(0.0, min(1.0, (g - (self.export_kwh or 0.0)) / c))


@dataclass
class SiteLedger:
    site: object
    start_us: int
    end_us: int
    fuels: dict[str, FuelLedger] = field(default_factory=dict)

    @property
    def days(self) -> float:
        return (self.end_us - self.start_us) / 86_400e6

    def costs(self) -> dict[str, float]:
        """Total cost per currency, all fuels."""
        out: dict[str, float] = {}
        for f in self.fuels.values():
            if f.cost is not None:
                out[f.cost.currency] = out.get(f.cost.currency, 0.0) + f.cost.total
        return out

    @property
    def carbon_kg(self) -> float | None:
        kg = [f.carbon.kg for f in self.fuels.values() if f.carbon is not None]
        return sum(kg) if kg else None

    @property
    def import_kwh(self) -> float | None:
        return _sum(f.import_kwh for f in self.fuels.values())

    @property
    def consumption_kwh(self) -> float | None:
        return _sum(f.consumption_kwh for f in self.fuels.values())


def site_ledger(ws: WorkspaceAPI, site, start_us: int, end_us: int,
                tariffs: dict[str, str] | None = None, step_s: int = 900) -> SiteLedger:
    """The site's ledger over [start, end) (µs UTC), one entry per fuel it has meters of."""
    out = SiteLedger(site, start_us, end_us)
    fuels = sorted({m.fuel for m in ws.meters(site) if m.fuel and m.enabled
                    and m.amount_unit == "kWh"}, key=_fuel_order)
    for fuel in fuels:
        line = fuel_ledger(ws, site, fuel, start_us, end_us, (tariffs or {}).get(fuel), step_s)
        if line is not None:
            out.fuels[fuel] = line
    return out


def fuel_ledger(ws: WorkspaceAPI, site, fuel: str, start_us: int, end_us: int,
                tariff_name: str | None = None, step_s: int = 900) -> FuelLedger | None:
    line = FuelLedger(fuel)
    line.imported = _merged(role_energy(ws, site, fuel, Role.IMPORT, start_us, end_us, step_s),
                            role_energy(ws, site, fuel, Role.CONSUMPTION, start_us, end_us,
                                        step_s))
    line.exported = role_energy(ws, site, fuel, Role.EXPORT, start_us, end_us, step_s)
    line.generated = role_energy(ws, site, fuel, Role.GENERATION, start_us, end_us, step_s)
    if line.imported is None and line.generated is None and line.exported is None:
        return None
    if line.imported is not None:
        export = align_to(line.exported, line.imported)
        try:
            line.cost = cost_on(line.imported, tariff(ws, tariff_name, fuel), export)
        except ValidationError as exc:
            line.cost_note = str(exc)
        line.carbon = carbon_of(ws, line.imported, fuel)
        if line.carbon is None:
            line.carbon_note = no_factors(fuel)
    return line


def meter_ledger(ws: WorkspaceAPI, meter, start_us: int, end_us: int,
                 tariff_name: str | None = None) -> FuelLedger:
    """One meter's line: its energy by its role, priced only when it is an import of a fuel."""
    energy = meter_energy(ws, meter, start_us, end_us)
    line = FuelLedger(meter.fuel or "electricity")
    role = meter.effective_role
    if role is Role.EXPORT:
        line.exported = energy
    elif role is Role.GENERATION:
        line.generated = energy
    else:
        line.imported = energy
    line.cost, line.cost_note = cost_or_note(ws, energy, tariff_name)
    if role is not Role.GENERATION and role is not Role.EXPORT:
        line.carbon = carbon_of(ws, energy)
        if line.carbon is None:
            line.carbon_note = no_factors(line.fuel)
    return line


def align_to(x: Energy | None, onto: Energy):
    return None if x is None else align(x, onto)


def _merged(a: Energy | None, b: Energy | None) -> Energy | None:
    if a is None or b is None:
        return a or b
    total = a.kwh + align(b, a)
    return Energy(a.name, a.ts_us, total, a.step_s, a.tz, a.meters + b.meters, a.calendar)


def _total(e: Energy | None) -> float | None:
    if e is None or not np.isfinite(e.kwh).any():
        return None
    return float(np.nansum(e.kwh))


def _sum(values) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _fuel_order(fuel: str) -> int:
    from energize_desktop.core.model import FUELS

    return FUELS.index(fuel) if fuel in FUELS else len(FUELS)
