"""A workspace from a stranger is data, never code. On open, before anything reads it, the file
must hold exactly the tables and columns our own migrations make for its schema version, and no
view, macro or sequence: a `sites` table replaced by a view calling read_text(), or a macro in
an export query, is refused with the reason (and the connection cannot reach files anyway:
workspace.SAFE_CONFIG).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import duckdb

from energize_desktop.storage.errors import WorkspaceError
from energize_desktop.storage.schema import MIGRATIONS


def check_no_code(path: Path, con) -> None:
    views = [r[0] for r in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
    macros = [r[0] for r in con.execute(
        "SELECT DISTINCT function_name FROM duckdb_functions() WHERE NOT internal").fetchall()]
    sequences = [r[0] for r in con.execute(
        "SELECT sequence_name FROM duckdb_sequences()").fetchall()]
    found = [f"view {v!r}" for v in views] + [f"macro {m!r}" for m in macros] + \
        [f"sequence {q!r}" for q in sequences]
    if found:
        raise WorkspaceError(f"{path}: refused: it holds {', '.join(found[:5])}, which "
                             "Energize never creates; a workspace is data, not code")


def check_schema(path: Path, con, version: int) -> None:
    """The tables, columns and types are those of schema `version`, nothing more or less."""
    actual = _columns(con)
    expected = expected_columns(version)
    if actual == expected:
        return
    extra = sorted(set(actual) - set(expected))
    missing = sorted(set(expected) - set(actual))
    changed = sorted(t for t in set(actual) & set(expected) if actual[t] != expected[t])
    parts = ([f"unknown table(s) {', '.join(extra[:5])}"] if extra else []) + \
        ([f"missing table(s) {', '.join(missing[:5])}"] if missing else []) + \
        ([f"table(s) {', '.join(changed[:5])} with other columns or types"] if changed else [])
    raise WorkspaceError(f"{path}: refused: not the schema Energize writes at version "
                         f"{version} ({'; '.join(parts)})")


def _columns(con) -> dict[str, tuple]:
    rows = con.execute(
        "SELECT table_catalog, table_schema, table_name, column_name, data_type "
        "FROM information_schema.columns WHERE table_catalog = current_database() "
        "ORDER BY table_schema, table_name, ordinal_position").fetchall()
    out: dict[str, list] = {}
    for _catalog, schema, table, column, kind in rows:
        if schema in ("information_schema", "pg_catalog") or table.startswith("duckdb_"):
            continue
        out.setdefault(f"{schema}.{table}", []).append((column, kind))
    return {t: tuple(c) for t, c in out.items()}


@lru_cache(maxsize=None)
def expected_columns(version: int) -> dict[str, tuple]:
    """What our migrations 1..version create (cached by the migrations' own text: building it
    in an in-memory database is 0.05 s of every open)."""
    import hashlib

    from energize_desktop.computed import cached

    text = repr([MIGRATIONS[v] for v in range(1, version + 1)]) + duckdb.__version__
    stamp = hashlib.sha256(text.encode()).hexdigest()
    found = cached("schema_columns", stamp, str(version), lambda: _built_columns(version))
    return {table: tuple(tuple(c) for c in cols) for table, cols in found.items()}


def _built_columns(version: int) -> dict[str, tuple]:
    """What our migrations 1..version create, read from an in-memory database."""
    con = duckdb.connect(":memory:")
    try:
        for v in range(1, version + 1):
            for statement in MIGRATIONS[v]:
                con.execute(statement)
        return _columns(con)
    finally:
        con.close()
