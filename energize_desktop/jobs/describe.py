"""Describing a site and its meters after import: the checks that span objects (a parent on
the same site, of the same kind of amount, never a cycle; a known country and subdivision),
then the edit, recorded and reversible (storage/changes). The CLI's `site set` / `meter set`
and the window's editors share this."""

from __future__ import annotations

from datetime import date

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.model import FUELS, MeterKind, Role
from energize_desktop.core.model import ref as parse_ref
from energize_desktop.storage import changes
from energize_desktop.storage.api import WorkspaceAPI

SITE_FIELDS = ("name", "floor_area_m2", "building_type", "country", "subdivision", "timezone",
               "address", "closures")
METER_FIELDS = ("name", "fuel", "role", "parent", "calorific_kwh_per_m3", "rollover",
                "retention_days", "enabled", "formula")


def set_site(ws: WorkspaceAPI, site_ref, values: dict, who: str):
    """Edit a site; `values` holds only the fields given."""
    site = ws.site(parse_ref(site_ref))
    values = {k: v for k, v in values.items() if v is not None}
    if "country" in values or "subdivision" in values:
        check_holidays(values.get("country", site.country),
                       values.get("subdivision", site.subdivision))
    if "closures" in values:
        values["closures"] = tuple(sorted(_dates(values["closures"])))
    updated, done = changes.edit(ws, site, values, who)
    if any(c.field == "timezone" for c in done):  # local days and months move with the zone
        ws.catalog_changed()
        ws.writer().rebuild(m.id for m in ws.meters(updated))
    return updated, done


def set_meter(ws: WorkspaceAPI, meter_ref, values: dict, who: str):
    meter = ws.meter(parse_ref(meter_ref))
    updated, done = changes.edit(ws, meter, meter_changes(ws, meter, values), who)
    if any(c.field in REBUILT_BY for c in done):
        ws.writer().rebuild([updated.id])
    return updated, done


def meter_changes(ws: WorkspaceAPI, meter, values: dict) -> dict:
    """The fields of `meter` that `values` set, checked (a ValidationError names the field):
    what the window's editor checks as you type, and what set_meter then stores."""
    values = {k: v for k, v in values.items() if v is not None}
    out: dict = {}
    if "fuel" in values:
        fuel = values.pop("fuel")
        if fuel not in FUELS:
            raise ValidationError(f"{fuel!r} is not one of {', '.join(FUELS)}", field="fuel")
        keep_pv = meter.kind is MeterKind.PV and fuel == "electricity"
        out["kind"] = meter.kind if keep_pv else MeterKind(fuel)
    if "role" in values:
        role = values.pop("role")
        out["role"] = "" if role == "auto" else Role(role).value if role in set(Role) else \
            _bad_role(role)
    if "formula" in values:
        out["formula"] = _formula(ws, meter, values.pop("formula"))
    if "parent" in values:
        out["parent_id"] = _parent(ws, meter, values.pop("parent"))
    if "retention_days" in values and values["retention_days"] is not None \
            and values["retention_days"] <= 0:
        raise ValidationError(f"{values['retention_days']}: expected a positive number of days",
                              field="retention_days")
    if "calorific_kwh_per_m3" in values and values["calorific_kwh_per_m3"] <= 0:
        raise ValidationError(f"{values['calorific_kwh_per_m3']}: expected a positive kWh per m³",
                              field="calorific")
    if "name" in values and not str(values["name"]).strip():
        raise ValidationError("give the meter a name", field="name")
    out.update(values)
    return out


def _formula(ws: WorkspaceAPI, meter, text: str) -> str:
    from energize_desktop.jobs.virtual import resolve

    if not meter.formula:
        raise ValidationError(f"{meter.name!r} is a measured meter; only a virtual meter has a "
                              "formula (energize meter add-virtual)", field="formula")
    formula, terms = resolve(ws, ws.site_of(meter), text)  # a virtual term (itself) refused
    if {t.amount_unit for t in terms} != {meter.amount_unit}:
        raise ValidationError(f"{meter.name!r} is in {meter.amount_unit}; the formula's meters "
                              f"are in {terms[0].amount_unit}", field="formula")
    return formula


REBUILT_BY = ("calorific_kwh_per_m3", "rollover", "kind")  # a meter's amounts change with them


def _bad_role(role: str):
    raise ValidationError(f"{role!r} is not one of {', '.join(r.value for r in Role)} or auto",
                          field="role")


def _parent(ws: WorkspaceAPI, meter, text: str) -> int | None:
    if text in ("", "none", "-"):
        return None
    parent = ws.meter(parse_ref(text))
    if parent.site_id != meter.site_id:
        raise ValidationError(f"{parent.name!r} is on another site", field="parent")
    if parent.amount_unit != meter.amount_unit or parent.fuel != meter.fuel:
        raise ValidationError(f"{parent.name!r} measures {parent.fuel or parent.unit}, "
                              f"{meter.name!r} {meter.fuel or meter.unit}: a sub-meter measures "
                              "what its parent does",
                              field="parent")
    seen, at = {meter.id}, parent
    while at is not None:  # walking up from the new parent must never reach the meter
        if at.id in seen:
            raise ValidationError(f"{parent.name!r} is inside {meter.name!r} already: a meter "
                                  "cannot be its own parent", field="parent")
        seen.add(at.id)
        at = ws.meter(at.parent_id) if at.parent_id is not None else None
    return parent.id


def check_holidays(country: str, subdivision: str) -> None:
    if not country:
        return
    import holidays

    regions = holidays.list_supported_countries().get(country.upper())
    if regions is not None and subdivision and subdivision not in regions:
        raise ValidationError(f"{subdivision!r}: not a region of {country} (expected one of "
                              f"{', '.join(regions[:12])}{'…' if len(regions) > 12 else ''})",
                              field="subdivision")
    try:
        holidays.country_holidays(country, subdiv=subdivision or None, years=[2025])
    except NotImplementedError:
        raise ValidationError(f"{country!r}: no public holiday calendar for this country "
                              "(expected an ISO 3166 code such as GB)", field="country") from None
    except (KeyError, ValueError) as exc:
        raise ValidationError(f"{subdivision!r}: not a subdivision of {country} ({exc})",
                              field="subdivision") from None


def _dates(values) -> list[str]:
    out = []
    for v in values:
        try:
            out.append(date.fromisoformat(str(v).strip()).isoformat())
        except ValueError:
            raise ValidationError(f"{v!r}: expected a date YYYY-MM-DD",
                                  field="closures") from None
    return out


def undo(ws: WorkspaceAPI, who: str, kind: str | None = None, obj_ref=None) -> list:
    """Undo the latest edit of a site or meter (or of anything), with its rollups rebuilt when
    the edit moved them."""
    object_id = None
    if kind and obj_ref is not None:
        obj = ws.site(parse_ref(obj_ref)) if kind == "site" else ws.meter(parse_ref(obj_ref))
        object_id = obj.id
    batch = changes.undo_last(ws, who, kind, object_id)
    fields = {c.field for c in batch}
    if batch and batch[0].object == "site" and "timezone" in fields:
        ws.catalog_changed()
        ws.writer().rebuild(m.id for m in ws.meters(ws.site(batch[0].object_id)))
    elif batch and fields & set(REBUILT_BY):
        ws.writer().rebuild([batch[0].object_id])
    return batch
