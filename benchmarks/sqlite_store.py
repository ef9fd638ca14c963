"""The peer: a SQLite store doing the same work the way Home Assistant's recorder does: raw
states with an index on (meter, time), 5-minute short-term statistics and hourly statistics
upserted as data arrives (WAL journal, synchronous=NORMAL, as the recorder sets them). Like the
recorder it has no daily table: days are summed from hourly rows when asked. Its buckets are
UTC, which is less work than our local-calendar rollups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

LEVELS = {"statistics_short_term": 300, "statistics": 3600}


class SqliteStore:
    def __init__(self, path: Path):
        for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
            p.unlink(missing_ok=True)
        self.path = path
        self.con = sqlite3.connect(path, isolation_level=None)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("PRAGMA synchronous=NORMAL")
        self.con.execute("CREATE TABLE readings (meter_id INTEGER NOT NULL, ts INTEGER NOT NULL,"
                         " value REAL NOT NULL, quality INTEGER NOT NULL)")
        self.con.execute("CREATE INDEX ix_readings ON readings (meter_id, ts)")
        for table in LEVELS:
            self.con.execute(f"CREATE TABLE {table} (meter_id INTEGER NOT NULL, "
                             "bucket INTEGER NOT NULL, amount REAL, vmin REAL, vmax REAL, "
                             "n INTEGER, PRIMARY KEY (meter_id, bucket)) WITHOUT ROWID")

    def bulk(self, rows) -> None:
        """All rows in one transaction, then every rollup from the table."""
        self.con.execute("BEGIN")
        self.con.executemany("INSERT INTO readings VALUES (?, ?, ?, 0)", rows)
        for table, seconds in LEVELS.items():
            self.con.execute(f"INSERT INTO {table} SELECT meter_id, ts / {seconds} * {seconds},"
                             " sum(value), min(value), max(value), count(*) FROM readings "
                             "GROUP BY 1, 2")
        self.con.execute("COMMIT")

    def append(self, rows) -> None:
        """One batch, committed, with every rollup upserted from it."""
        con = self.con
        con.execute("BEGIN")
        con.execute("CREATE TEMP TABLE IF NOT EXISTS batch (meter_id INT, ts INT, value REAL)")
        con.execute("DELETE FROM batch")
        con.executemany("INSERT INTO batch VALUES (?, ?, ?)", rows)
        con.execute("INSERT INTO readings SELECT meter_id, ts, value, 0 FROM batch")
        for table, seconds in LEVELS.items():
            con.execute(_upsert(table, f"ts / {seconds} * {seconds}"))
        con.execute("COMMIT")

    def hourly(self, meter_id: int, start: int, end: int):
        return self.con.execute("SELECT bucket, amount FROM statistics WHERE meter_id = ? AND "
                                "bucket >= ? AND bucket < ? ORDER BY bucket",
                                (meter_id, start, end)).fetchall()

    def daily_all(self, start: int, end: int):
        return self.con.execute("SELECT meter_id, bucket / 86400 * 86400 AS day, sum(amount) "
                                "FROM statistics WHERE bucket >= ? AND bucket < ? "
                                "GROUP BY 1, 2 ORDER BY 1, 2", (start, end)).fetchall()

    def raw_since(self, meter_id: int, start: int):
        return self.con.execute("SELECT ts, value FROM readings WHERE meter_id = ? AND ts >= ? "
                                "ORDER BY ts", (meter_id, start)).fetchall()

    def close(self) -> int:
        self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.con.close()
        return self.path.stat().st_size


def _upsert(table: str, bucket: str) -> str:
    return (f"INSERT INTO {table} SELECT meter_id, {bucket} AS b, sum(value), min(value), "
            f"max(value), count(*) FROM batch WHERE true GROUP BY 1, 2 ON CONFLICT (meter_id, "
            f"bucket) DO UPDATE SET amount = amount + excluded.amount, "
            f"vmin = min(vmin, excluded.vmin), vmax = max(vmax, excluded.vmax), "
            f"n = n + excluded.n")
