"""Device templates: register maps as TOML data files (resources/devices/, and the user's own).

See resources/devices/README.md for the schema. A template that cannot be read names its file
and the field at fault.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.model import MeterKind
from energize_desktop.core.registers import Point, protocol_address
from energize_desktop.core.units import UnitError, parse_unit
from energize_desktop.paths import data_dir, resource

_POINT_FIELDS = {"name", "address", "kind", "type", "order", "scale", "offset", "unit",
                 "semantics", "sentinels"}
_DEVICE_FIELDS = {"id", "name", "manufacturer", "meter_kind", "default_unit_id",
                  "min_interval_ms", "address_base", "source", "verified"}


@dataclass(frozen=True)
class DeviceTemplate:
    id: str
    name: str
    manufacturer: str
    meter_kind: MeterKind
    default_unit_id: int
    min_interval_ms: int
    points: tuple[Point, ...]
    source: str
    verified: bool
    path: Path | None = None


def template_dirs() -> list[Path]:
    return [resource("devices"), data_dir() / "devices"]


def load_all(dirs: list[Path] | None = None) -> dict[str, DeviceTemplate]:
    """Every template by id; a user's file with the id of a bundled one replaces it."""
    found: dict[str, DeviceTemplate] = {}
    for folder in dirs or template_dirs():
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                template = load(path)
                found[template.id] = template
    return found


def load(path: Path) -> DeviceTemplate:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{path}: not valid TOML ({exc})") from None
    device = doc.get("device")
    if not isinstance(device, dict):
        raise ValidationError(f"{path}: a [device] table is required")
    _unknown(path, "[device]", device, _DEVICE_FIELDS)
    for key in ("id", "name"):
        if not str(device.get(key, "")).strip():
            raise ValidationError(f"{path}: [device] {key} is required")
    base = int(device.get("address_base", 0))
    if base not in (0, 1):
        raise ValidationError(f"{path}: [device] address_base must be 0 or 1, got {base}")
    points = tuple(_point(path, i, p, base) for i, p in enumerate(doc.get("points", []), 1))
    if not points:
        raise ValidationError(f"{path}: no [[points]]")
    names = [p.name for p in points]
    if len(set(names)) != len(names):
        raise ValidationError(f"{path}: point names must be unique")
    try:
        kind = MeterKind(device.get("meter_kind", "electricity"))
    except ValueError:
        raise ValidationError(f"{path}: [device] meter_kind {device.get('meter_kind')!r} is "
                              f"not one of {', '.join(k.value for k in MeterKind)}") from None
    return DeviceTemplate(str(device["id"]), str(device["name"]),
                          str(device.get("manufacturer", "")), kind,
                          int(device.get("default_unit_id", 1)),
                          int(device.get("min_interval_ms", 0)), points,
                          str(device.get("source", "")), bool(device.get("verified", False)),
                          path)


def _point(path: Path, index: int, data: dict, base: int) -> Point:
    where = f"{path}: point {index} ({data.get('name', '?')})"
    _unknown(path, f"point {index}", data, _POINT_FIELDS)
    if "name" not in data or "address" not in data:
        raise ValidationError(f"{where}: name and address are required")
    try:
        unit = data.get("unit", "")
        if unit:
            parse_unit(unit)
        return Point(str(data["name"]), protocol_address(data["address"], base),
                     kind=data.get("kind", "holding"), dtype=data.get("type", "f32"),
                     order=data.get("order", "ABCD"), scale=float(data.get("scale", 1.0)),
                     offset=float(data.get("offset", 0.0)), unit=unit,
                     semantics=data.get("semantics", "instantaneous"),
                     sentinels=bool(data.get("sentinels", False)))
    except (ValueError, UnitError) as exc:
        raise ValidationError(f"{where}: {exc}") from None


def _unknown(path: Path, where: str, data: dict, allowed: set) -> None:
    extra = set(data) - allowed
    if extra:
        raise ValidationError(f"{path}: {where}: unknown field(s) {', '.join(sorted(extra))}; "
                              f"expected {', '.join(sorted(allowed))}")
