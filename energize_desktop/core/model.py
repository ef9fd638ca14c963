"""Sites and meters: the workspace's domain objects, plain and immutable."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.units import CANONICAL, Dimension, parse_unit


class MeterKind(StrEnum):
    ELECTRICITY = "electricity"
    GAS = "gas"
    WATER = "water"
    HEAT = "heat"
    PV = "pv"
    OIL = "oil"
    TEMPERATURE = "temperature"
    COST = "cost"  # money per interval, as billed
    OTHER = "other"


class Role(StrEnum):
    """What a meter's energy is to its site (the ledger adds, credits or leaves it by this)."""

    IMPORT = "import"  # bought from the grid or a supplier: priced on its fuel's tariff
    EXPORT = "export"  # sold back: credited at the export rate, never a cost
    GENERATION = "generation"  # made on site (PV): never a cost; part of consumption
    CONSUMPTION = "consumption"  # a whole-building consumption meter (already net of nothing)
    SUB = "sub"  # inside a parent meter: never added to the site total again
    OTHER = "other"  # temperature, cost, and other channels that are no energy of the site


FUELS = ("electricity", "gas", "heat", "oil", "water")


class Semantics(StrEnum):
    """How a meter's values relate to energy; see core/semantics.py for the arithmetic."""

    CUMULATIVE = "cumulative"  # a register that counts up (kWh counter): energy is its deltas
    INTERVAL = "interval"  # each value is the amount used in the interval that starts at it
    INSTANTANEOUS = "instantaneous"  # a sampled level (kW, °C, V): power integrates to energy


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    timezone: str = "UTC"
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    floor_area_m2: float | None = None
    building_type: str = ""
    id: int | None = None
    uid: str | None = None
    country: str = ""  # ISO 3166 code: the site's public holidays, benchmarks and factors
    subdivision: str = ""  # e.g. ENG, for England's bank holidays
    closures: tuple[str, ...] = ()  # the site's own closure days, ISO dates

    def __post_init__(self):
        if not self.name.strip():
            raise ValidationError("site name: must not be empty")
        check_timezone(self.timezone)
        if self.floor_area_m2 is not None and self.floor_area_m2 <= 0:
            raise ValidationError(f"site floor area: must be positive m², got {self.floor_area_m2}")
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise ValidationError(f"site latitude: expected -90..90, got {self.latitude}")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise ValidationError(f"site longitude: expected -180..180, got {self.longitude}")


@dataclass(frozen=True, slots=True)
class Meter:
    name: str
    kind: MeterKind
    unit: str
    semantics: Semantics
    site_id: int | None = None
    interval_s: int = 900  # nominal sampling or metering interval
    max_gap_s: int | None = None  # longer than this between samples is a gap (default 3 intervals)
    rollover: float | None = None  # value at which a cumulative register wraps to zero
    max_power_kw: float | None = None  # a delta implying more than this is a reset, not energy
    calorific_kwh_per_m3: float | None = None  # gas by volume
    retention_days: int | None = None  # raw readings older than this are archived
    parent_id: int | None = None  # sub-meter of another meter
    source: dict = field(default_factory=dict)  # connector settings (never secrets)
    id: int | None = None
    uid: str | None = None
    role: str = ""  # core.model.Role; "" = as its kind and parent say (see `effective_role`)
    enabled: bool = True  # a disabled meter is left out of totals, detection and acquisition
    # A virtual meter's terms as JSON [{"uid": ..., "scale": ...}] (see jobs/virtual.py): it is
    # computed from their rollups, stores no readings and is never added to a site total.
    formula: str = ""

    def __post_init__(self):
        if not self.name.strip():
            raise ValidationError("meter name: must not be empty")
        object.__setattr__(self, "kind", _enum(MeterKind, self.kind, "meter kind"))
        object.__setattr__(self, "semantics", _enum(Semantics, self.semantics, "meter semantics"))
        if self.role:
            object.__setattr__(self, "role", _enum(Role, self.role, "meter role").value)
        unit = parse_unit(self.unit)
        if self.interval_s <= 0:
            raise ValidationError(f"meter {self.name}: interval must be positive seconds")
        if self.semantics is not Semantics.INSTANTANEOUS and not self.is_additive_unit(unit):
            raise ValidationError(
                f"meter {self.name}: a {self.semantics} meter needs an amount unit "
                f"(kWh, m³, therm...), got {self.unit!r}"
            )
        if self.rollover is not None and self.rollover <= 0:
            raise ValidationError(f"meter {self.name}: rollover must be positive")

    @property
    def fuel(self) -> str | None:
        """The fuel its energy is (PV makes electricity); None for non-energy channels."""
        if self.kind is MeterKind.PV:
            return "electricity"
        return self.kind.value if self.kind.value in FUELS else None

    @property
    def effective_role(self) -> Role:
        """The role given, or the one its kind and place imply: a sub-meter when it has a
        parent, generation for PV, import for other energy, other for the rest."""
        if self.role:
            return Role(self.role)
        if self.formula:
            return Role.OTHER
        if self.parent_id is not None:
            return Role.SUB
        if self.kind is MeterKind.PV:
            return Role.GENERATION
        return Role.IMPORT if self.fuel and self.amount_unit == "kWh" else Role.OTHER

    @property
    def is_virtual(self) -> bool:
        return bool(self.formula)

    @staticmethod
    def is_additive_unit(unit) -> bool:
        return unit.dimension in (Dimension.ENERGY, Dimension.VOLUME, Dimension.REACTIVE_ENERGY,
                                  Dimension.MONEY)

    @property
    def gap_s(self) -> int:
        return self.max_gap_s or 3 * self.interval_s

    @property
    def amount_unit(self) -> str | None:
        """Unit of the additive amount kept in rollups, or None for non-additive channels."""
        dim = parse_unit(self.unit).dimension
        if dim in (Dimension.ENERGY, Dimension.POWER):
            return "kWh"
        if dim in (Dimension.VOLUME, Dimension.FLOW):
            return "kWh" if self.kind is MeterKind.GAS else "m³"
        if dim is Dimension.REACTIVE_ENERGY:
            return "kvarh"
        if dim is Dimension.MONEY:
            return parse_unit(self.unit).symbol
        return None

    @property
    def rate_unit(self) -> str | None:
        return {"kWh": "kW", "m³": "m³/h", "kvarh": "kvar"}.get(self.amount_unit or "")

    @property
    def display_unit(self) -> str:
        return self.unit or CANONICAL[parse_unit(self.unit).dimension]

    def with_(self, **changes) -> "Meter":
        return replace(self, **changes)


def _enum(cls, value, what):
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(v.value for v in cls)
        raise ValidationError(f"{what}: {value!r} is not one of {choices}") from None


def check_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"time zone {name!r} is not an IANA zone name such as Europe/London"
        ) from None


def ref(text):
    """A meter or site named by its id (digits) or its name, as users and files write it."""
    return int(text) if isinstance(text, str) and text.isdigit() else text
