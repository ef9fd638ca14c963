"""PostgreSQL's binary COPY format, built with numpy: one fixed-width record per reading, so a
million readings encode in ~0.1 s (CSV text costs the server a parse of every field).

Format: signature, flags, header extension, then per row a field count and each field as
length + big-endian bytes, then -1. Timestamps are microseconds since 2000-01-01 UTC.
"""

from __future__ import annotations

import uuid

import numpy as np

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
TRAILER = b"\xff\xff"
PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01T00:00Z in Unix microseconds


def readings(ts_us: np.ndarray, value: np.ndarray, quality: np.ndarray,
             meter_uid: str | None = None, org: str | None = None) -> bytes:
    """Rows (ts, value, quality) — or (meter_uid, ts, value, quality, org) when both are
    given — for `COPY … FROM STDIN (FORMAT binary)`. Values must not be null (the workspace
    keeps gaps as missing rows, never as nulls)."""
    fields = [("ts", ">i8"), ("value", ">f8"), ("quality", ">i2")]
    org_bytes = org.encode() if org is not None else b""
    if meter_uid is not None:
        fields = [("meter_uid", "S16"), *fields, ("org", f"S{max(len(org_bytes), 1)}")]
    layout = [("count", ">i2")]
    for name, kind in fields:
        layout += [(f"{name}_len", ">i4"), (name, kind)]
    rows = np.empty(len(ts_us), np.dtype(layout))
    rows["count"] = len(fields)
    rows["ts"] = np.asarray(ts_us, np.int64) - PG_EPOCH_US
    rows["value"] = value
    rows["quality"] = quality
    for name, kind in fields:
        rows[f"{name}_len"] = np.dtype(kind).itemsize
    if meter_uid is not None:
        rows["meter_uid"] = uuid.UUID(meter_uid).bytes
        rows["org"] = org_bytes
        rows["org_len"] = len(org_bytes)
    return SIGNATURE + rows.tobytes() + TRAILER
