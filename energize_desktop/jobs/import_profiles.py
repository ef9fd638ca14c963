"""Import profiles kept in a workspace: the CSV layout of one file saved by name, to read the
next file of the same export without asking again. Built-in profiles come from
imports/profiles."""

from __future__ import annotations

from energize_desktop.core.errors import ValidationError
from energize_desktop.imports.csv_format import CsvFormat
from energize_desktop.imports.profiles import BUILTIN
from energize_desktop.storage.api import WorkspaceAPI
from energize_desktop.storage.metadata import IMPORT_PROFILE


def names(ws: WorkspaceAPI) -> list[str]:
    saved = IMPORT_PROFILE.suffixes(ws) if ws is not None else []
    return sorted(BUILTIN) + sorted(saved)


def save(ws: WorkspaceAPI, name: str, fmt: CsvFormat) -> None:
    if not name.strip() or name in BUILTIN:
        raise ValidationError(f"profile name {name!r}: empty or taken by a built-in profile",
                              field="save_profile")
    IMPORT_PROFILE.set(ws, fmt.to_dict(), name)


def load(ws: WorkspaceAPI, name: str) -> tuple[dict, bool]:
    """(fields, complete): complete profiles replace sniffing, partial ones amend it."""
    if name in BUILTIN:
        return dict(BUILTIN[name]), False
    fields = IMPORT_PROFILE.get(ws, name) if ws is not None else None
    if fields is None:
        raise ValidationError(f"profile {name!r} not found; profiles: {', '.join(names(ws))}",
                              field="profile")
    return fields, True
