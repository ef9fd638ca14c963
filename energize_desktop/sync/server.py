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

SERVER_SCHEMA_VERSION = 3
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
RLS_TABLES = ("sites", "meters", "readings", "anomalies", "definitions", "alerts")
ADDED_IN = {"definitions": 2, "alerts": 3}  # tables a migration added after version 1


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


def init(conn) -> list[str]:
    """Create or migrate the schema; returns what was done. Run as the operator."""
    done = []
    version = server_version(conn)
    if version > SERVER_SCHEMA_VERSION:
        check_version(conn)
    with conn.transaction():
        for target in range(version + 1, SERVER_SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[target]:
                conn.execute(statement)
            done.append(f"schema version {target}")
        if version == 0:
            done.append(_timescale(conn))  # first: it may rebuild the (empty) readings table
            done += _security(conn, RLS_TABLES)
        else:
            for table, added in ADDED_IN.items():
                if version < added:
                    done += _security(conn, (table,))
                    _grant_registered(conn, table)
        conn.execute("INSERT INTO energize.meta VALUES ('schema_version', %s) ON CONFLICT (key) "
                     "DO UPDATE SET value = excluded.value", [str(SERVER_SCHEMA_VERSION)])
    return done


def _security(conn, tables) -> list[str]:
    for table in tables:
        conn.execute(f"ALTER TABLE energize.{table} ENABLE ROW LEVEL SECURITY")
        conn.execute(f"CREATE POLICY org_rows ON energize.{table} USING "
                     "(org IN (SELECT energize.my_orgs())) WITH CHECK "
                     "(org IN (SELECT energize.my_orgs()))")
    return ["row-level security on " + ", ".join(tables)]


def _grant_registered(conn, table: str) -> None:
    """A table added by a migration, granted to the roles registered before it."""
    from psycopg import sql

    for role, can_write in conn.execute("SELECT role_name, can_write FROM energize.laptops"):
        rights = "SELECT, INSERT, UPDATE" if can_write else "SELECT"
        conn.execute(sql.SQL(f"GRANT {rights} ON energize.{{}} TO {{}}").format(
            sql.Identifier(table), sql.Identifier(role)))


def _timescale(conn) -> str:
    available = conn.execute("SELECT count(*) FROM pg_available_extensions WHERE name = "
                             "'timescaledb'").fetchone()[0]
    if not available:
        return _partition_readings(conn)
    conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
    conn.execute("SELECT create_hypertable('energize.readings', 'ts', "
                 "chunk_time_interval => interval '30 days', migrate_data => true)")
    conn.execute("ALTER TABLE energize.readings SET (timescaledb.compress, "
                 "timescaledb.compress_segmentby = 'meter_uid')")
    conn.execute("SELECT add_compression_policy('energize.readings', interval '60 days')")
    return "TimescaleDB hypertable with compression after 60 days"


PARTITION_YEARS = range(2000, 2061)


def _partition_readings(conn) -> str:
    """Without TimescaleDB: readings partitioned by year (old years can be detached or
    dropped whole; queries of a period read only its years), a default partition for the rest.
    Called on a fresh server, while the table is still empty."""
    conn.execute("DROP TABLE energize.readings")
    conn.execute("""CREATE TABLE energize.readings (meter_uid uuid NOT NULL,
        ts timestamptz NOT NULL, value double precision, quality smallint NOT NULL DEFAULT 0,
        org text NOT NULL, PRIMARY KEY (meter_uid, ts)) PARTITION BY RANGE (ts)""")
    for year in PARTITION_YEARS:
        conn.execute(f"CREATE TABLE energize.readings_{year} PARTITION OF energize.readings "
                     f"FOR VALUES FROM ('{year}-01-01 00:00+00') TO ('{year + 1}-01-01 00:00+00')")
    conn.execute("CREATE TABLE energize.readings_other PARTITION OF energize.readings DEFAULT")
    return (f"TimescaleDB not installed: readings partitioned by year "
            f"({PARTITION_YEARS[0]}–{PARTITION_YEARS[-1]}, and a default partition)")


def add_laptop(conn, role: str, org: str, password: str, read_only: bool = False) -> None:
    """A LOGIN role for one laptop (or a read-only dashboard) of an organisation."""
    from psycopg import sql

    if not NAME.match(role):
        raise SyncError(f"role {role!r}: use lower-case letters, digits and _ (max 63)")
    with conn.transaction():
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA energize TO {}").format(
            sql.Identifier(role)))
        rights = "SELECT" if read_only else "SELECT, INSERT, UPDATE"
        for table in RLS_TABLES:
            conn.execute(sql.SQL(f"GRANT {rights} ON energize.{{}} TO {{}}").format(
                sql.Identifier(table), sql.Identifier(role)))
        conn.execute(sql.SQL("GRANT SELECT ON energize.meta TO {}").format(sql.Identifier(role)))
        conn.execute("INSERT INTO energize.laptops VALUES (%s, %s, %s) ON CONFLICT (role_name) "
                     "DO UPDATE SET org = excluded.org, can_write = excluded.can_write",
                     [role, org, not read_only])
