"""A workspace from a stranger is data, never code: a view that reads a local file, a macro, or
a table the product does not make is refused on open, with the reason; and no SQL on a
workspace's connection can reach a file."""

import duckdb
import pytest

from energize_desktop.core.model import Site
from energize_desktop.storage import Workspace, WorkspaceError


@pytest.fixture
def planted(tmp_path):
    """A real workspace, and a secret file beside it that a hostile edit would read."""
    path = tmp_path / "from-a-stranger.energize"
    with Workspace.create(path) as ws:
        ws.add_site(Site("Riverside", "Europe/London"))
    secret = tmp_path / "secret.txt"
    secret.write_text("the victim's password")
    return path, secret


def _edit(path, *statements):
    con = duckdb.connect(str(path))  # the attacker's DuckDB, with nothing turned off
    for statement in statements:
        con.execute(statement)
    con.close()


def test_a_view_that_reads_a_local_file_is_refused(planted):
    path, secret = planted
    _edit(path, "ALTER TABLE sites RENAME TO sites_old",
          f"CREATE VIEW sites AS SELECT 1 AS id, 'u' AS uid, content AS name, '' AS address, "
          f"NULL::DOUBLE AS latitude, NULL::DOUBLE AS longitude, NULL::DOUBLE AS floor_area_m2, "
          f"'UTC' AS timezone, '' AS building_type FROM read_text('{secret}')")
    with pytest.raises(WorkspaceError) as caught:
        Workspace.open(path, read_only=True)
    assert "view 'sites'" in str(caught.value) and "password" not in str(caught.value)


def test_a_macro_is_refused(planted):
    path, _ = planted
    _edit(path, "CREATE MACRO iso(x) AS x")
    with pytest.raises(WorkspaceError, match="macro 'iso'"):
        Workspace.open(path)


def test_a_table_the_product_does_not_make_is_refused(planted):
    path, _ = planted
    _edit(path, "CREATE TABLE payload (x VARCHAR)")
    with pytest.raises(WorkspaceError, match="unknown table.*payload"):
        Workspace.open(path)


def test_a_column_changed_in_type_is_refused(planted):
    path, _ = planted
    _edit(path, "ALTER TABLE meta ADD COLUMN note VARCHAR")
    with pytest.raises(WorkspaceError, match="meta with other columns"):
        Workspace.open(path)


def test_the_connection_cannot_reach_files_or_be_reconfigured(planted):
    path, secret = planted
    with Workspace.open(path) as ws:
        cur = ws.cursor()
        for sql in (f"SELECT * FROM read_text('{secret}')",
                    f"SELECT * FROM read_csv('{secret}')",
                    f"COPY meta TO '{secret}.out'",
                    "SET enable_external_access = true",
                    "INSTALL httpfs"):
            with pytest.raises(duckdb.Error):
                cur.execute(sql).fetchall()
    assert not (secret.parent / "secret.txt.out").exists()
