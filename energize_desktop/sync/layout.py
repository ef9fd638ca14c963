"""How the server stores readings. With TimescaleDB: one hypertable, compressed after 60 days.
Without: partitioned by organisation, then by year. Each organisation's partition is where its
laptops COPY readings straight in (COPY refuses a table under row-level security, and an
INSERT … SELECT from a staging table writes row by row at half the speed); the partition's
bounds keep a laptop to its own organisation's rows, and the laptop has INSERT on its own
organisation's partition only. Reads go through the parent, under row-level security.
"""

from __future__ import annotations

import hashlib

PARTITION_YEARS = range(2000, 2061)
READINGS_COLUMNS = """(meter_uid uuid NOT NULL, ts timestamptz NOT NULL,
    value double precision, quality smallint NOT NULL DEFAULT 0, org text NOT NULL,
    PRIMARY KEY (meter_uid, ts, org))"""  # org: a partitioned key must hold it


def is_hypertable(conn) -> bool:
    if not conn.execute("SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'") \
            .fetchone()[0]:
        return False
    return bool(conn.execute("SELECT count(*) FROM timescaledb_information.hypertables WHERE "
                             "hypertable_schema = 'energize' AND hypertable_name = 'readings'")
                .fetchone()[0])


def timescale(conn) -> str | None:
    """On a fresh server with the extension available: readings as a compressed hypertable."""
    available = conn.execute("SELECT count(*) FROM pg_available_extensions WHERE name = "
                             "'timescaledb'").fetchone()[0]
    if not available:
        return None
    conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
    conn.execute("SELECT create_hypertable('energize.readings', 'ts', "
                 "chunk_time_interval => interval '30 days', migrate_data => true)")
    conn.execute("ALTER TABLE energize.readings SET (timescaledb.compress, "
                 "timescaledb.compress_segmentby = 'meter_uid')")
    conn.execute("SELECT add_compression_policy('energize.readings', interval '60 days')")
    return "TimescaleDB hypertable with compression after 60 days"


def partition_by_organisation(conn) -> str:
    """Rebuild readings as organisation → year partitions, moving whatever it held (a plain or
    year-partitioned table of an older schema). Runs inside the migration's transaction."""
    conn.execute("ALTER TABLE energize.readings RENAME TO readings_before_v4")
    conn.execute(f"CREATE TABLE energize.readings {READINGS_COLUMNS} PARTITION BY LIST (org)")
    conn.execute("CREATE TABLE energize.readings_unregistered PARTITION OF energize.readings "
                 "DEFAULT")
    orgs = {r[0] for r in conn.execute("SELECT DISTINCT org FROM energize.readings_before_v4")}
    orgs |= {r[0] for r in conn.execute("SELECT DISTINCT org FROM energize.laptops")}
    for org in sorted(orgs):
        add_organisation(conn, org)
    moved = conn.execute("INSERT INTO energize.readings SELECT meter_uid, ts, value, quality, "
                         "org FROM energize.readings_before_v4").rowcount
    conn.execute("DROP TABLE energize.readings_before_v4 CASCADE")
    return (f"readings partitioned by organisation and year ({PARTITION_YEARS[0]}–"
            f"{PARTITION_YEARS[-1]}); {moved:,} readings moved")


def partition_name(org: str) -> str:
    """A table name for any organisation name (which may hold spaces or capitals)."""
    return "readings_" + hashlib.sha1(org.encode()).hexdigest()[:12]


def add_organisation(conn, org: str) -> str | None:
    """The organisation's readings partition (and its years), once; None on TimescaleDB."""
    exists = conn.execute("SELECT readings_table FROM energize.orgs WHERE org = %s",
                          [org]).fetchone()
    if exists:
        return exists[0]
    table = None if is_hypertable(conn) else partition_name(org)
    if table:
        conn.execute(f"CREATE TABLE energize.{table} PARTITION OF energize.readings FOR VALUES "
                     f"IN ({_literal(conn, org)}) PARTITION BY RANGE (ts)")
        for year in PARTITION_YEARS:
            conn.execute(f"CREATE TABLE energize.{table}_{year} PARTITION OF energize.{table} "
                         f"FOR VALUES FROM ('{year}-01-01 00:00+00') TO "
                         f"('{year + 1}-01-01 00:00+00')")
        conn.execute(f"CREATE TABLE energize.{table}_other PARTITION OF energize.{table} "
                     f"DEFAULT")
    conn.execute("INSERT INTO energize.orgs VALUES (%s, %s)", [org, table])
    return table


def _literal(conn, value: str) -> str:
    """Partition bounds take no parameters: the organisation's name quoted by the driver."""
    from psycopg import sql

    return sql.Literal(value).as_string(conn)
