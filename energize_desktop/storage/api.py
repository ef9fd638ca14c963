"""What the layers above may ask of a workspace (as harlequin documents its adapter): the
methods, what each returns and raises. `Workspace` implements it; jobs, live, reports, sync and
the demo are written against this Protocol, never against DuckDB.

Every method raises WorkspaceError (storage/errors) when the file cannot do what is asked, and
ValidationError when a reference or value is wrong; DuckDB's own errors never leave storage.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from energize_desktop.core.model import Meter, Site

if TYPE_CHECKING:
    from energize_desktop.storage.queries import Queries
    from energize_desktop.storage.state import RollupState
    from energize_desktop.storage.writer import Writer


class WorkspaceAPI(Protocol):
    path: Path
    read_only: bool

    def close(self) -> None:
        """Flush the open rollups and close the file."""

    def writer(self) -> "Writer":
        """The one writer: `append(batch)` commits readings in one transaction each."""

    @property
    def queries(self) -> "Queries":
        """Range reads: readings, rollups, summaries, gaps (polars frames)."""

    @property
    def state(self) -> "RollupState":
        """The open rollup buckets and the site calendars (`calendar_of(meter_id)`)."""

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A metadata value (prefer storage/metadata's typed keys)."""

    def meta_keys(self) -> list[str]:
        ...

    def set_meta(self, key: str, value: str) -> None:
        """Raises ValidationError for a key not declared in storage/metadata."""

    @property
    def catalog_version(self) -> int:
        """Grows with every change of sites and meters: what a cache of them is keyed on."""

    def sites(self) -> list[Site]:
        ...

    def meters(self, site: Site | None = None) -> list[Meter]:
        """Every meter, or a site's."""

    def site(self, ref: str | int | None = None) -> Site:
        """By id or name; None: the only site. Raises ValidationError if none or several."""

    def meter(self, ref: str | int) -> Meter:
        """By id or name. Raises ValidationError if there is no such meter."""

    def site_of(self, meter: Meter) -> Site:
        ...

    def add_site(self, site: Site) -> Site:
        """Stored with its id assigned."""

    def update_site(self, site: Site) -> Site:
        ...

    def add_meter(self, meter: Meter) -> Meter:
        ...

    def add_meters(self, meters: list[Meter]) -> list[Meter]:
        """In one transaction."""

    def update_meter(self, meter: Meter) -> Meter:
        ...

    def catalog_changed(self) -> None:
        """Drop cached sites and meters (after a rolled-back import)."""
