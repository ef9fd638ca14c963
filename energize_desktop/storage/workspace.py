"""One workspace = one DuckDB file: open, create, validate, migrate (after a backup copy).

Opening never changes a file it cannot use: a file that is not a workspace, a newer schema or a
damaged file raises WorkspaceError before anything is written.
"""

from __future__ import annotations

import shutil
import struct
import threading
from pathlib import Path
from typing import cast

import duckdb

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.model import Meter, Site
from energize_desktop.storage import catalog, metadata
from energize_desktop.storage.errors import WorkspaceError, WorkspaceLocked
from energize_desktop.storage.schema import APP_ID, MIGRATIONS, SCHEMA_VERSION
from energize_desktop.storage.transaction import transaction
from energize_desktop.storage.trust import check_no_code, check_schema

SUFFIX = ".energize"
_DUCKDB_MAGIC = b"DUCK"


class Workspace:
    """An open workspace. Thread-safe for reads (one cursor per thread); one Writer writes."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, read_only: bool):
        self.path = path
        self.read_only = read_only
        self._con: duckdb.DuckDBPyConnection | None = con
        self._local = threading.local()
        self._catalog_lock = threading.Lock()
        self._catalog_version = 0
        self._sites: list[Site] | None = None
        self._meters: list[Meter] | None = None
        self._state = None
        self._writer = None
        self.on_close: list = []  # called once closed (a snapshot's file removed)
        self.shown_as: Path = path  # what to call it: a snapshot's is the logged workspace
        self.logger = None  # a snapshot's: the logger's client for its live feed (read_api)

    # -- lifecycle ------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path) -> "Workspace":
        path = Path(path)
        if path.exists():
            raise WorkspaceError(f"{path}: already exists; choose another name or open it")
        path.parent.mkdir(parents=True, exist_ok=True)
        con = _connect(path, read_only=False)
        try:
            with transaction(con):
                for statement in _all_statements():
                    con.execute(statement)
                con.execute("INSERT INTO meta VALUES ('app', ?), ('schema_version', ?)",
                            [APP_ID, str(SCHEMA_VERSION)])
        except Exception:
            con.close()
            _remove(path)
            raise
        return cls(path, con, read_only=False)

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False) -> "Workspace":
        path = Path(path)
        if read_only:  # checked on the connection it is then read through (one open, not two)
            con = _connect_checked(path, read_only=True)
            try:
                version = _version_of(path, con)
            except BaseException:
                con.close()
                raise
            if version == SCHEMA_VERSION:
                return cls(path, con, True)
            con.close()
        else:
            version = inspect(path)
        if version > SCHEMA_VERSION:
            raise WorkspaceError(
                f"{path}: written by a newer Energize (schema version {version}); this version "
                f"reads up to {SCHEMA_VERSION}. Update Energize to open it."
            )
        if version < SCHEMA_VERSION:
            if read_only:
                raise WorkspaceError(f"{path}: schema version {version} needs migrating; "
                                     "open it for writing once to upgrade it")
            _migrate(path, version)
        return cls(path, _connect(path, read_only=read_only), read_only)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._con is not None:
            if not self.read_only:
                self._con.execute("CHECKPOINT")
            self._con.close()
            self._con = None
            for done in self.on_close:
                done()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- connections ----------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for the calling thread (DuckDB connections are not shared across threads)."""
        if self._con is None:
            raise WorkspaceError(f"{self.path}: the workspace is closed")
        cur = getattr(self._local, "cursor", None)
        if cur is None or getattr(self._local, "owner", None) is not self._con:
            cur = cast(duckdb.DuckDBPyConnection, self._con).cursor()
            self._local.cursor, self._local.owner = cur, self._con
        return cur

    def writer(self):
        """The workspace's single writer (created on first use)."""
        from energize_desktop.storage.writer import Writer

        if self.read_only:
            raise WorkspaceError(f"{self.path}: opened read-only; cannot write readings")
        if self._writer is None:
            self._writer = Writer(self)
        return self._writer

    @property
    def state(self):
        """Open (not yet closed) rollup buckets, shared by the writer and the queries."""
        from energize_desktop.storage.state import RollupState

        if self._state is None:
            self._state = RollupState.recover(self)
        return self._state

    @property
    def queries(self):
        from energize_desktop.storage.queries import Queries

        return Queries(self)

    # -- metadata -------------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        rows = self.cursor().execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
        return rows[0][0] if rows else default

    def meta_keys(self) -> list[str]:
        return [r[0] for r in self.cursor().execute("SELECT key FROM meta ORDER BY key").fetchall()]

    def set_meta(self, key: str, value: str) -> None:
        """Only keys declared in storage/metadata.py (typed access: metadata.KEY.get/set)."""
        metadata.declared(key)
        cur = self.cursor()
        with transaction(cur):
            cur.execute("DELETE FROM meta WHERE key = ?", [key])
            cur.execute("INSERT INTO meta VALUES (?, ?)", [key, value])

    @property
    def schema_version(self) -> int:
        return metadata.SCHEMA_VERSION.get(self)

    # -- catalog --------------------------------------------------------------------------------
    @property
    def catalog_version(self) -> int:
        return self._catalog_version

    def sites(self) -> list[Site]:
        with self._catalog_lock:
            if self._sites is None:
                self._sites = catalog.load_sites(self.cursor())
            return list(self._sites)

    def meters(self, site: Site | None = None) -> list[Meter]:
        with self._catalog_lock:
            if self._meters is None:
                self._meters = catalog.load_meters(self.cursor())
            meters = list(self._meters)
        return [m for m in meters if site is None or m.site_id == site.id]

    def site(self, ref: str | int | None = None) -> Site:
        sites = self.sites()
        if ref is None:
            if len(sites) == 1:
                return sites[0]
            names = ", ".join(s.name for s in sites) or "none"
            raise ValidationError(f"this workspace has several sites ({names}); name one",
                                  field="site")
        for s in sites:
            if s.id == ref or s.name == ref or str(s.id) == str(ref):
                return s
        raise ValidationError(f"site {ref!r} not found; sites: {', '.join(s.name for s in sites)}")

    def meter(self, ref: str | int) -> Meter:
        meters = self.meters()
        for m in meters:
            if m.id == ref or str(m.id) == str(ref) or m.name == ref or m.uid == ref:
                return m
        names = ", ".join(m.name for m in meters) or "none"
        raise ValidationError(f"meter {ref!r} not found; meters: {names}")

    def add_site(self, site: Site) -> Site:
        return self._change_catalog(catalog.insert_site, site)

    def update_site(self, site: Site) -> Site:
        self._change_catalog(catalog.update_site, site)
        return site

    def add_meter(self, meter: Meter) -> Meter:
        return self._change_catalog(catalog.insert_meter, meter)

    def add_meters(self, meters: list[Meter]) -> list[Meter]:
        """Several meters in one transaction (a device with many points, an import)."""
        return self._change_catalog(catalog.insert_meters, list(meters))

    def update_meter(self, meter: Meter) -> Meter:
        self._change_catalog(catalog.update_meter, meter)
        return meter

    def _change_catalog(self, fn, obj):
        if self.read_only:
            raise WorkspaceError(f"{self.path}: opened read-only")
        cur = self.cursor()
        with transaction(cur):
            result = fn(cur, obj)
        if fn in (catalog.insert_meter, catalog.insert_meters) and self._meters is not None:
            with self._catalog_lock:  # the cache grows with what was added: no reload
                self._meters = self._meters + (result if isinstance(result, list) else [result])
                self._catalog_version += 1
        else:
            self.catalog_changed()
        return result

    def catalog_changed(self) -> None:
        """Drop cached sites and meters (after a change, or a rolled-back import)."""
        with self._catalog_lock:
            self._sites = self._meters = None
            self._catalog_version += 1

    def site_of(self, meter: Meter) -> Site:
        return self.site(meter.site_id)


# -- opening, checking, migrating -------------------------------------------------------------
def inspect(path: Path) -> int:
    """Schema version of a workspace file; WorkspaceError if it is not one we can read."""
    con = _connect_checked(path, read_only=True)
    try:
        return _version_of(path, con)
    finally:
        con.close()


def _connect_checked(path: Path, *, read_only: bool):
    """A connection to a file that is whole and a DuckDB database (WorkspaceError if not)."""
    if not path.exists():
        raise WorkspaceError(f"{path}: no such file")
    if not path.is_file():
        raise WorkspaceError(f"{path}: not a file")
    with open(path, "rb") as fh:
        header = fh.read(_HEADERS)
    if header[8:12] != _DUCKDB_MAGIC:
        raise WorkspaceError(f"{path}: not an Energize workspace (expected a DuckDB file)")
    _check_length(path, header)
    return _connect(path, read_only=read_only)


def _version_of(path: Path, con) -> int:
    """The schema version of an open workspace, after checking it holds only our data."""
    try:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        if "meta" not in tables:
            raise WorkspaceError(f"{path}: a DuckDB database, but not an Energize workspace")
        check_no_code(path, con)
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("app") != APP_ID:
            raise WorkspaceError(f"{path}: a DuckDB database, but not an Energize workspace")
        try:
            version = int(meta["schema_version"])
        except (KeyError, ValueError):
            raise WorkspaceError(f"{path}: workspace has no valid schema version") from None
        if 1 <= version <= SCHEMA_VERSION:
            check_schema(path, con, version)
    except duckdb.Error as exc:
        raise WorkspaceError(f"{path}: damaged or unreadable workspace ({exc})") from exc
    return version


MEMORY_LIMIT = "256MB"
_HEADERS = 3 * 4096  # DuckDB: a main header, then two database headers (the newer is live)


def _check_length(path: Path, header: bytes) -> None:
    """A truncated file is refused before DuckDB reads stale or missing blocks from it.

    DuckDB itself opens a truncated file and only fails (or worse, returns wrong data) later.
    A file DuckDB wrote always ends on a block boundary; the header's block count cannot be
    compared with the size, because a checkpoint truncates free blocks at the end of the file
    without lowering it.
    """
    if len(header) < _HEADERS:
        raise WorkspaceError(f"{path}: damaged or truncated workspace ({len(header)} bytes)")
    sizes = []
    for offset in (4096, 8192):
        block_size = struct.unpack_from("<6Q", header, offset)[5]
        if 4096 <= block_size <= 1 << 24 and block_size & (block_size - 1) == 0:
            sizes.append(block_size)
    if not sizes:
        return  # a header layout we do not know: leave the judgement to DuckDB
    actual = path.stat().st_size
    if (actual - _HEADERS) % sizes[0] and not _readable(path):
        raise WorkspaceError(f"{path}: damaged or truncated workspace ({actual:,} bytes is "
                             f"not a whole number of {sizes[0]:,}-byte blocks)")


def _readable(path: Path) -> bool:
    """A file whose last block was cut (a disk that filled up mid-write) is still a workspace
    when DuckDB reads every table of it to the end: accepted then, never refused for its size
    alone."""
    try:
        con = _connect(path, read_only=True)
    except WorkspaceError:
        return False
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main'").fetchall()]
        for table in tables:
            con.execute(f'SELECT count(*), max(length(CAST(COLUMNS(*) AS VARCHAR))) '
                        f'FROM "{table}"').fetchall()
        return "meta" in tables
    except duckdb.Error:
        return False
    finally:
        con.close()


def backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.schema-v{version}.bak")


def _migrate(path: Path, version: int) -> None:
    backup = backup_path(path, version)
    shutil.copy2(path, backup)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, backup.with_name(backup.name + ".wal"))
    con = _connect(path, read_only=False)
    try:
        with transaction(con):
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[target]:
                    con.execute(statement)
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                        [str(SCHEMA_VERSION)])
        con.execute("CHECKPOINT")
    except duckdb.Error as exc:
        raise WorkspaceError(f"{path}: migration from schema {version} failed ({exc}); the "
                             f"file is unchanged and a copy is at {backup}") from exc
    finally:
        con.close()


def _all_statements():
    for version in range(1, SCHEMA_VERSION + 1):
        yield from MIGRATIONS[version]


# A workspace is data, never code: no file, URL or extension can be reached from SQL on its
# connection (a view calling read_text() or a macro in a stranger's file reads nothing), and the
# file cannot change that, since the configuration is locked once set.
SAFE_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "preserve_insertion_order": True,
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    # DuckDB would otherwise cache up to 80% of RAM while a large import's transaction is open;
    # a bounded cache keeps imports (and everything else) in bounded memory
    "memory_limit": MEMORY_LIMIT,
    "lock_configuration": True,
}


def _connect(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only, config=SAFE_CONFIG)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise WorkspaceLocked(f"{path}: open in another Energize process; close it there "
                                  "first") from exc
        if "not a valid DuckDB database" in text:
            raise WorkspaceError(f"{path}: not an Energize workspace") from exc
        raise WorkspaceError(f"{path}: damaged or truncated workspace ({text})") from exc
    except duckdb.Error as exc:
        raise WorkspaceError(f"{path}: cannot open workspace ({exc})") from exc


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
