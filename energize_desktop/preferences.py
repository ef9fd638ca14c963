"""User preferences, typed, in a TOML file in the data folder (`preferences.toml`). Window
geometry is Qt's business (QSettings); everything a user chooses lives here, readable and
editable by hand. A damaged file is reported and replaced by defaults, never half-applied."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from energize_desktop import paths
from energize_desktop.core.errors import ValidationError

CHOICES = {"units": ("SI", "imperial"), "theme": ("system", "light", "dark")}
MAX_RECENT = 8


@dataclass(frozen=True)
class Preferences:
    units: str = "SI"  # SI: kWh, m², °C; imperial: kBtu, ft², °F where shown
    currency: str = "GBP"
    theme: str = "system"
    recent: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self):
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ValidationError(f"preferences: {name} = {getattr(self, name)!r}; expected "
                                      f"one of {', '.join(allowed)}")
        if not (len(self.currency) == 3 and self.currency.isalpha()):
            raise ValidationError(f"preferences: currency = {self.currency!r}; expected a "
                                  "three-letter code such as GBP, EUR, USD")

    def with_recent(self, path: str) -> "Preferences":
        recent = (path, *(p for p in self.recent if p != path))[:MAX_RECENT]
        return replace(self, recent=recent)


def path() -> Path:
    return paths.data_dir() / "preferences.toml"


def load(file: Path | None = None) -> tuple[Preferences, str | None]:
    """(preferences, a warning when the file could not be used)."""
    file = file or path()
    if not file.exists():
        return Preferences(), None
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        known = {f.name for f in fields(Preferences)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationError(f"unknown setting(s) {', '.join(unknown)}")
        if "recent" in data:
            data["recent"] = tuple(str(p) for p in data["recent"])
        return Preferences(**data), None
    except (tomllib.TOMLDecodeError, ValidationError, TypeError, OSError) as exc:
        return Preferences(), f"{file}: {exc}; using the defaults"


def save(prefs: Preferences, file: Path | None = None) -> None:
    file = file or path()
    file.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Energize Desktop preferences (edit freely; unknown keys are refused)"]
    for key, value in asdict(prefs).items():
        lines.append(f"{key} = {_toml(value)}")
    tmp = file.with_name(file.name + ".part")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(file)


def _toml(value) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def keyring_status() -> str:
    """What the Settings page says about secrets."""
    import keyring

    backend = keyring.get_keyring()
    name = type(backend).__name__
    if "fail" in name.lower() or getattr(backend, "priority", 1) <= 0:
        return ("No OS keyring is available: passwords (SMTP, MQTT, PostgreSQL) cannot be "
                "saved and are never written anywhere else. Install and unlock one (Secret "
                "Service, KWallet, macOS Keychain, Windows Credential Locker).")
    return f"Passwords are kept in the OS keyring ({name})."
