"""A site's EUI beside a published reference for its country and building type, and its primary
(source) energy on that country's factors. The references are data (resources/benchmarks/*.csv,
each row with its source; a user's own file of the same name in the data folder adds to them).
No row for the country and type is "no reference" — never another country's figure."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from energize_desktop import paths
from energize_desktop.core.errors import ValidationError

KBTU_FT2_TO_KWH_M2 = 3.15459075  # 1 kBtu/ft²·yr = 3.1546 kWh/m²·yr
FUEL_GROUP = {"electricity": "electricity", "gas": "fossil_thermal", "oil": "fossil_thermal",
              "heat": "heat"}


@dataclass(frozen=True)
class Reference:
    country: str
    building_type: str
    basis: str  # site | source
    fuel: str  # electricity | fossil_thermal | total
    kwh_m2: float
    statistic: str  # typical, median…
    source: str


def _files(name: str) -> list[Path]:
    own = paths.data_dir() / "benchmarks" / name
    return [p for p in (paths.resource("benchmarks", name), own) if p.is_file()]


@lru_cache(maxsize=4)
def _rows(name: str) -> tuple[dict, ...]:
    rows: list[dict] = []
    for path in _files(name):
        with path.open(newline="", encoding="utf-8") as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                rows.append({**row, "_where": f"{path}, line {line}"})
    return tuple(rows)


def references(country: str, building_type: str) -> dict[tuple[str, str], Reference]:
    """(basis, fuel) → the reference for this country and type (a later file wins)."""
    out = {}
    for r in _rows("eui_reference.csv"):
        if r["country"].upper() != (country or "").upper() or \
                r["building_type"].lower() != (building_type or "").lower():
            continue
        try:
            value = float(r["value"])
        except ValueError:
            raise ValidationError(f"{r['_where']}: value {r['value']!r}: expected a number",
                                  field="value") from None
        unit = r["unit"].replace("²", "2").replace("·", "/")
        if unit not in ("kWh/m2/yr", "kBtu/ft2/yr"):
            raise ValidationError(f"{r['_where']}: unit {r['unit']!r}: expected kWh/m2/yr or "
                                  "kBtu/ft2/yr", field="unit")
        kwh_m2 = value * KBTU_FT2_TO_KWH_M2 if unit == "kBtu/ft2/yr" else value
        out[(r["basis"], r["fuel"])] = Reference(r["country"], r["building_type"], r["basis"],
                                                 r["fuel"], kwh_m2, r["statistic"], r["source"])
    return out


def primary_factors(country: str) -> dict[str, tuple[float, str]]:
    """fuel → (site-to-source ratio, source) for the country; empty when none is known."""
    return {r["fuel"]: (float(r["factor"]), r["source"]) for r in _rows(
        "primary_energy_factors.csv") if r["country"].upper() == (country or "").upper()}


def benchmark(site, annual: dict[str, dict[str, float]]) -> dict:
    """`annual`: fuel → {"consumption", "import", "export", "generation"} kWh per year.
    Returns the site's EUI per fuel group and in total, its source EUI when the country has
    factors, and each reference that applies with our comparable figure beside it."""
    if not site.floor_area_m2:
        return {"note": "the site has no floor area: no EUI"}
    area = site.floor_area_m2
    groups: dict[str, float] = {}
    for fuel, kwh in annual.items():
        group = FUEL_GROUP.get(fuel, fuel)
        groups[group] = groups.get(group, 0.0) + (kwh.get("consumption") or 0.0)
    ours = {"site": {**{g: v / area for g, v in groups.items()},
                     "total": sum(groups.values()) / area}}
    out: dict = {"floor_area_m2": area, "country": site.country or None,
                 "building_type": site.building_type or None, "eui": ours}
    factors = primary_factors(site.country)
    source = _source_kwh(annual, factors)
    if source is None:
        where = site.country or "a site without a country"
        out["source_note"] = f"no primary-energy factors for {where}"
    else:
        ours["source"] = {"total": source / area}
        out["primary_factors"] = {f: {"factor": v, "source": s} for f, (v, s) in factors.items()}
    refs = references(site.country, site.building_type)
    out["references"] = [
        {"basis": r.basis, "fuel": r.fuel, "kwh_m2": r.kwh_m2, "statistic": r.statistic,
         "source": r.source, "ours_kwh_m2": ours.get(r.basis, {}).get(r.fuel)}
        for r in refs.values()]
    if not refs:
        out["reference_note"] = (f"no reference for {site.building_type or 'this type'} in "
                                 f"{site.country or 'a site without a country'}")
    return out


def _source_kwh(annual: dict, factors: dict) -> float | None:
    total = 0.0
    for fuel, kwh in annual.items():
        if fuel not in factors:
            if kwh.get("consumption"):
                return None  # a fuel without a factor: no honest source total
            continue
        if fuel == "electricity":
            grid = (kwh.get("import") or 0.0) - (kwh.get("export") or 0.0)
            made = kwh.get("generation") or 0.0
            total += grid * factors[fuel][0] + made * factors.get("generation", (1.0, ""))[0]
        else:
            total += (kwh.get("consumption") or 0.0) * factors[fuel][0]
    return total
