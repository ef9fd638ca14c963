"""PostgreSQL's binary COPY format, built with numpy: one fixed-width record per row, so a
million rows encode in ~0.1 s (CSV text costs the server a parse of every field).

Format: signature, flags, header extension, then per row a field count and each field as
length + big-endian bytes, then -1. Timestamps are microseconds since 2000-01-01 UTC, dates
days since then. Fixed-width fields only, and no NULLs (a missing float is sent as NaN and
turned back into NULL by the statement that reads the staging table).
"""

from __future__ import annotations

import uuid

import numpy as np

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
TRAILER = b"\xff\xff"
PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01T00:00Z in Unix microseconds
PG_EPOCH_DAYS = 10_957  # 2000-01-01 in days since 1970-01-01
KINDS = {"uuid": "S16", "timestamptz": ">i8", "date": ">i4", "float8": ">f8", "int4": ">i4",
         "int2": ">i2"}


def encode(n: int, fields: list[tuple[str, str, object]]) -> bytes:
    """`n` rows of `fields` = [(name, kind, values)], kind one of KINDS (or "text:N" for a
    constant string of N bytes); values an array of n, or one value for every row."""
    layout = [("count", ">i2")]
    for name, kind, _ in fields:
        layout += [(f"{name}_len", ">i4"), (name, _dtype(kind))]
    rows = np.empty(n, np.dtype(layout))
    rows["count"] = len(fields)
    for name, kind, values in fields:
        rows[f"{name}_len"] = np.dtype(_dtype(kind)).itemsize
        rows[name] = values
    return SIGNATURE + rows.tobytes() + TRAILER


def _dtype(kind: str) -> str:
    return f"S{kind.split(':')[1]}" if kind.startswith("text:") else KINDS[kind]


def uuid_bytes(text: str) -> bytes:
    return uuid.UUID(text).bytes


def timestamps(unix_us) -> np.ndarray:
    return np.asarray(unix_us, np.int64) - PG_EPOCH_US


def dates(unix_days) -> np.ndarray:
    return np.asarray(unix_days, np.int64) - PG_EPOCH_DAYS


def readings(ts_us: np.ndarray, value: np.ndarray, quality: np.ndarray,
             meter_uid: str | None = None, org: str | None = None) -> bytes:
    """Rows (ts, value, quality) — or (meter_uid, ts, value, quality, org) when both are
    given — for `COPY … FROM STDIN (FORMAT binary)`. Values must not be null (the workspace
    keeps gaps as missing rows, never as nulls)."""
    fields = [("ts", "timestamptz", timestamps(ts_us)), ("value", "float8", value),
              ("quality", "int2", quality)]
    if meter_uid is not None:
        org_bytes = org.encode()
        if not org_bytes:
            raise ValueError("an organisation name cannot be empty")
        fields = [("meter_uid", "uuid", uuid_bytes(meter_uid)), *fields,
                  ("org", f"text:{len(org_bytes)}", org_bytes)]
    return encode(len(ts_us), fields)
