"""The shared server: PostgreSQL 15+ (TimescaleDB hypertables and compression when the extension
is installed), a versioned schema, and row-level security so a laptop's role reads and writes
only its organisation's rows.

Roles: the operator (who runs `energize server init`) owns the tables; each laptop gets a LOGIN
role registered in `energize.laptops` with its organisation; a dashboard role reads only.
Policies compare each row's `org` with the organisations registered for `current_user`.
"""

from __future__ import annotations

import re

from energize_desktop.core.errors import EnergizeError
from energize_desktop.sync import layout, rollups

SERVER_SCHEMA_VERSION = 7
NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class SyncError(EnergizeError):
    pass


MIGRATIONS = {1: [
    "CREATE SCHEMA IF NOT EXISTS energize",
    """CREATE TABLE energize.meta (key text PRIMARY KEY, value text NOT NULL)""",
    """CREATE TABLE energize.laptops (role_name text PRIMARY KEY, org text NOT NULL,
        can_write boolean NOT NULL DEFAULT true)""",
    """CREATE TABLE energize.sites (uid uuid PRIMARY KEY, org text NOT NULL, name text NOT NULL,
        timezone text NOT NULL, floor_area_m2 double precision, address text,
        updated_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE energize.meters (uid uuid PRIMARY KEY, org text NOT NULL,
        site_uid uuid NOT NULL REFERENCES energize.sites(uid), name text NOT NULL,
        kind text NOT NULL, unit text NOT NULL, semantics text NOT NULL,
        interval_s integer NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE energize.readings (meter_uid uuid NOT NULL, ts timestamptz NOT NULL,
        value double precision, quality smallint NOT NULL DEFAULT 0, org text NOT NULL,
        PRIMARY KEY (meter_uid, ts))""",
    """CREATE TABLE energize.anomalies (uid uuid PRIMARY KEY, org text NOT NULL,
        meter_uid uuid NOT NULL, start_ts timestamptz NOT NULL, end_ts timestamptz NOT NULL,
        kind text NOT NULL, severity text NOT NULL, explanation text NOT NULL)""",
    """CREATE FUNCTION energize.my_orgs() RETURNS SETOF text LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = energize, pg_temp AS
        $$ SELECT org FROM energize.laptops WHERE role_name = session_user $$""",
    lambda conn: layout.timescale(conn),  # a fresh server: readings as a hypertable if it can
]}
MIGRATIONS[2] = [  # shared definitions: tariffs and emission factor sets, as JSON
    """CREATE TABLE energize.definitions (org text NOT NULL, kind text NOT NULL,
        name text NOT NULL, body jsonb NOT NULL, updated_by text NOT NULL DEFAULT session_user,
        updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (org, kind, name))""",
]
MIGRATIONS[3] = [  # alerts with their state and audit trail (who did what, with which note)
    """CREATE TABLE energize.alerts (uid uuid PRIMARY KEY, org text NOT NULL, meter_uid uuid,
        state text NOT NULL, severity text NOT NULL, message text NOT NULL,
        opened_at timestamptz NOT NULL, audit jsonb NOT NULL DEFAULT '[]',
        updated_at timestamptz NOT NULL DEFAULT now())""",
]
MIGRATIONS[4] = [  # readings partitioned by organisation: each laptop COPYs into its own
    "CREATE TABLE energize.orgs (org text PRIMARY KEY, readings_table text)",
    lambda conn: _organisation_partitions(conn),
]
MIGRATIONS[5] = rollups.MIGRATION  # hourly and daily rollups, from the workspaces' own
MIGRATIONS[6] = rollups.KEY_MIGRATION  # the organisation in the rollups' key and policy
# A site you can describe and meters that say what they are to it, so a server-side site total
# adds only top-level import meters (`role`, as the laptop's ledger decides it) and never a
# sub-meter (`parent_uid`), an export, a generation or a virtual meter (`formula`).
MIGRATIONS[7] = [
    """ALTER TABLE energize.sites ADD COLUMN country text, ADD COLUMN subdivision text,
        ADD COLUMN building_type text""",
    """ALTER TABLE energize.meters ADD COLUMN parent_uid uuid, ADD COLUMN role text,
        ADD COLUMN fuel text, ADD COLUMN enabled boolean NOT NULL DEFAULT true,
        ADD COLUMN calorific_kwh_per_m3 double precision, ADD COLUMN formula jsonb""",
]
RLS_TABLES = ("sites", "meters", "readings", "anomalies", "definitions", "alerts", "orgs",
              "rollups_hour", "rollups_day")
ADDED_IN = {"definitions": 2, "alerts": 3, "orgs": 4, "rollups_hour": 5,
            "rollups_day": 5}  # tables added after version 1
REBUILT_IN = {"readings": 4, "rollups_hour": 6, "rollups_day": 6}  # tables a migration recreated: policies and grants again
READ_ONLY_TABLES = ("orgs",)  # for laptops too
METER_CHECKED = ("rollups_hour", "rollups_day")  # a row only for a meter of its organisation


def connect(dsn: str, password: str | None = None):
    import psycopg

    kwargs = {"connect_timeout": 10, "autocommit": True}  # each `transaction()` a real one
    if password:
        kwargs["password"] = password
    try:
        return psycopg.connect(dsn, **kwargs)
    except psycopg.OperationalError as exc:
        raise SyncError(f"cannot connect to the server: {_first_line(exc)}") from None


def _first_line(exc) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def server_version(conn) -> int:
    row = conn.execute("SELECT to_regclass('energize.meta')").fetchone()
    if row[0] is None:
        return 0
    value = conn.execute("SELECT value FROM energize.meta WHERE key = 'schema_version'") \
        .fetchone()
    return int(value[0]) if value else 0


def check_version(conn) -> None:
    version = server_version(conn)
    if version == 0:
        raise SyncError("the server has no Energize schema: run energize server init first")
    if version > SERVER_SCHEMA_VERSION:
        raise SyncError(f"the server's schema is version {version}, newer than this Energize "
                        f"reads ({SERVER_SCHEMA_VERSION}): update Energize before syncing")
    if version < SERVER_SCHEMA_VERSION:
        raise SyncError(f"the server's schema is version {version}, older than this Energize "
                        f"needs ({SERVER_SCHEMA_VERSION}): the operator upgrades it with "
                        "energize server init (nothing is lost)")


def init(conn, target: int = SERVER_SCHEMA_VERSION) -> list[str]:
    """Create or migrate the schema; returns what was done. Run as the operator. (`target`
    below the current version lets the tests build an older server to upgrade.)"""
    done = []
    version = server_version(conn)
    if version > SERVER_SCHEMA_VERSION:
        check_version(conn)
    with conn.transaction():
        for step in range(version + 1, target + 1):
            for statement in MIGRATIONS[step]:
                note = statement(conn) if callable(statement) else conn.execute(statement)
                if isinstance(note, str):
                    done.append(note)
            done.append(f"schema version {step}")
        changed = [t for t in RLS_TABLES if ADDED_IN.get(t, 1) <= target and (
            not version or version < ADDED_IN.get(t, 1) or version < REBUILT_IN.get(t, 0))]
        if changed:
            done += _security(conn, changed)
        for table in changed if version else ():
            _grant_registered(conn, table)
        if target >= 4:  # idempotent: each writing laptop may COPY into its partition
            _grant_partitions(conn)
        conn.execute("INSERT INTO energize.meta VALUES ('schema_version', %s) ON CONFLICT (key) "
                     "DO UPDATE SET value = excluded.value", [str(target)])
    return done


def _organisation_partitions(conn) -> str | None:
    if layout.is_hypertable(conn):
        for (org,) in conn.execute("SELECT DISTINCT org FROM energize.laptops").fetchall():
            layout.add_organisation(conn, org)
        return None
    return layout.partition_by_organisation(conn)


def _security(conn, tables) -> list[str]:
    for table in tables:
        conn.execute(f"ALTER TABLE energize.{table} ENABLE ROW LEVEL SECURITY")
        conn.execute(f"DROP POLICY IF EXISTS org_rows ON energize.{table}")
        own_meter = (f" AND meter_uid IN (SELECT m.uid FROM energize.meters m WHERE m.org = "
                     f"{table}.org)" if table in METER_CHECKED else "")
        conn.execute(f"CREATE POLICY org_rows ON energize.{table} USING "
                     "(org IN (SELECT energize.my_orgs())) WITH CHECK "
                     f"(org IN (SELECT energize.my_orgs()){own_meter})")
    return ["row-level security on " + ", ".join(tables)]


def _grant_registered(conn, table: str) -> None:
    """A table added by a migration, granted to the roles registered before it."""
    for role, can_write in conn.execute("SELECT role_name, can_write FROM energize.laptops"):
        _grant(conn, table, role, can_write)


def _grant(conn, table: str, role: str, can_write: bool) -> None:
    from psycopg import sql

    writes = can_write and table not in READ_ONLY_TABLES
    conn.execute(sql.SQL(f"GRANT {'SELECT, INSERT, UPDATE' if writes else 'SELECT'} ON "
                         "energize.{} TO {}").format(sql.Identifier(table), sql.Identifier(role)))


def _grant_partitions(conn) -> None:
    """Each writing laptop may INSERT (and so COPY) into its organisation's partition."""
    from psycopg import sql

    rows = conn.execute("SELECT l.role_name, o.readings_table FROM energize.laptops l JOIN "
                        "energize.orgs o ON o.org = l.org WHERE l.can_write AND "
                        "o.readings_table IS NOT NULL").fetchall()
    for role, table in rows:
        conn.execute(sql.SQL("GRANT INSERT ON energize.{} TO {}").format(
            sql.Identifier(table), sql.Identifier(role)))


def add_laptop(conn, role: str, org: str, password: str, read_only: bool = False) -> None:
    """A LOGIN role for one laptop (or a read-only dashboard) of an organisation."""
    from psycopg import sql

    if not NAME.match(role):
        raise SyncError(f"role {role!r}: use lower-case letters, digits and _ (max 63)")
    check_version(conn)
    with conn.transaction():
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA energize TO {}").format(
            sql.Identifier(role)))
        for table in RLS_TABLES:
            _grant(conn, table, role, not read_only)
        conn.execute(sql.SQL("GRANT SELECT ON energize.meta TO {}").format(sql.Identifier(role)))
        conn.execute("INSERT INTO energize.laptops VALUES (%s, %s, %s) ON CONFLICT (role_name) "
                     "DO UPDATE SET org = excluded.org, can_write = excluded.can_write",
                     [role, org, not read_only])
        layout.add_organisation(conn, org)
        _grant_partitions(conn)
