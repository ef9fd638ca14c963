"""Tariffs, carbon factors and utility bills kept in the workspace.

Tariff definitions are JSON text, parsed (never executed) by the analytics layer. Every write is
one transaction: an import of 36 bills either lands whole or not at all.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import numpy as np

from energize_desktop.core.errors import ValidationError
from energize_desktop.storage.transaction import transaction


class TariffStore:
    def __init__(self, ws):
        self.ws = ws

    def save(self, name: str, definition: dict) -> None:
        cur = self.ws.cursor()
        with transaction(cur):
            cur.execute("DELETE FROM tariffs WHERE name = ?", [name])
            tid = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM tariffs").fetchall()[0][0]
            cur.execute("INSERT INTO tariffs VALUES (?, ?, ?, ?)",
                        [tid, name, json.dumps(definition),
                         datetime.now(timezone.utc).replace(tzinfo=None)])

    def load(self, name: str) -> dict:
        rows = self.ws.cursor().execute("SELECT definition FROM tariffs WHERE name = ?",
                                        [name]).fetchall()
        if not rows:
            raise ValidationError(f"tariff {name!r}: not in this workspace (kept: "
                                  f"{', '.join(self.names()) or 'none'})")
        return json.loads(rows[0][0])

    def names(self) -> list[str]:
        return [r[0] for r in self.ws.cursor().execute(
            "SELECT name FROM tariffs ORDER BY id").fetchall()]

    def remove(self, name: str) -> bool:
        cur = self.ws.cursor()
        with transaction(cur):
            n = cur.execute("SELECT count(*) FROM tariffs WHERE name = ?", [name]).fetchall()
            cur.execute("DELETE FROM tariffs WHERE name = ?", [name])
            cur.execute("DELETE FROM tariff_prices WHERE tariff = ?", [name])
        return bool(n[0][0])

    def save_prices(self, name: str, ts_us: np.ndarray, per_kwh: np.ndarray,
                    step_s: int) -> int:
        """Replace the tariff's dynamic prices (one frame insert, one transaction)."""
        import polars as pl

        self.load(name)  # refuses an unknown tariff
        frame = pl.DataFrame({"tariff": [name] * len(ts_us), "ts": np.asarray(ts_us, np.int64),
                              "per_kwh": np.asarray(per_kwh, float),
                              "step_s": np.full(len(ts_us), step_s, np.int32)})
        _replace_rows(self.ws, "tariff_prices", "tariff", name, frame)
        return len(ts_us)

    def prices(self, name: str):
        """(ts_us, per_kwh, step_s) of the tariff's dynamic prices, or None."""
        rows = self.ws.cursor().execute(
            "SELECT ts, per_kwh, step_s FROM tariff_prices WHERE tariff = ? ORDER BY ts",
            [name]).fetchnumpy()
        if not len(rows["ts"]):
            return None
        return (rows["ts"].astype(np.int64), rows["per_kwh"].astype(float),
                int(rows["step_s"][0]))


class CarbonStore:
    def __init__(self, ws):
        self.ws = ws

    def save_factors(self, name: str, factors: list) -> None:
        """Replace the dated factors of the set `name` (analytics.carbon.Factor rows)."""
        cur = self.ws.cursor()
        with transaction(cur):
            cur.execute("DELETE FROM carbon_factors WHERE name = ?", [name])
            for f in factors:
                cur.execute("INSERT INTO carbon_factors VALUES (?, ?, ?, ?, ?)",
                            [name, f.valid_from, f.valid_to, f.kg_per_kwh, f.source])

    def factors(self, name: str) -> list[dict]:
        rows = self.ws.cursor().execute(
            "SELECT valid_from, valid_to, kg_per_kwh, source FROM carbon_factors WHERE name = ? "
            "ORDER BY valid_from", [name]).fetchall()
        return [{"valid_from": a.isoformat(), "valid_to": b.isoformat() if b else None,
                 "kg_per_kwh": k, "source": s} for a, b, k, s in rows]

    def save_hourly(self, name: str, ts_us: np.ndarray, kg_per_kwh: np.ndarray,
                    source: str) -> None:
        import polars as pl

        frame = pl.DataFrame({"name": [name] * len(ts_us), "ts": np.asarray(ts_us, np.int64),
                              "kg_per_kwh": np.asarray(kg_per_kwh, float),
                              "source": [source] * len(ts_us)})
        _replace_rows(self.ws, "carbon_hourly", "name", name, frame)

    def hourly(self, name: str):
        """(ts_us, kg_per_kwh, source) of an hourly series, or None."""
        rows = self.ws.cursor().execute(
            "SELECT ts, kg_per_kwh, source FROM carbon_hourly WHERE name = ? ORDER BY ts",
            [name]).fetchnumpy()
        if not len(rows["ts"]):
            return None
        return rows["ts"].astype(np.int64), rows["kg_per_kwh"].astype(float), str(rows["source"][0])

    def names(self) -> list[str]:
        rows = self.ws.cursor().execute(
            "SELECT name FROM carbon_factors UNION SELECT name FROM carbon_hourly "
            "ORDER BY name").fetchall()
        return [r[0] for r in rows]


class BillStore:
    def __init__(self, ws):
        self.ws = ws

    def replace(self, meter_id: int, bills: list[dict], source: str) -> int:
        """Keep the bills of one meter from one source (re-importing the file replaces them)."""
        cur = self.ws.cursor()
        with transaction(cur):
            cur.execute("DELETE FROM bills WHERE meter_id = ? AND source = ?", [meter_id, source])
            first = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM bills").fetchall()[0][0]
            for i, b in enumerate(bills):
                cur.execute("INSERT INTO bills VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [first + i, meter_id, b["start_us"], b["end_us"], b["amount"],
                             b["unit"], b.get("cost"), b.get("currency"), source])
        return len(bills)

    def of_meter(self, meter_id: int) -> list[dict]:
        rows = self.ws.cursor().execute(
            "SELECT start_ts, end_ts, amount, unit, cost, currency, source FROM bills "
            "WHERE meter_id = ? ORDER BY start_ts", [meter_id]).fetchall()
        keys = ("start_us", "end_us", "amount", "unit", "cost", "currency", "source")
        return [dict(zip(keys, r)) for r in rows]


def _replace_rows(ws, table: str, key: str, value: str, frame) -> None:
    """The rows of `table` whose `key` is `value` replaced by `frame` (its columns in the
    table's order), in one transaction and one frame insert. `table` and `key` are ours."""
    from energize_desktop.storage.frames import registered

    cur = ws.cursor()
    with transaction(cur):
        cur.execute(f"DELETE FROM {table} WHERE {key} = ?", [value])
        with registered(cur, frame.to_arrow(), "incoming") as name:
            cur.execute(f"INSERT INTO {table} SELECT {', '.join(frame.columns)} FROM {name}")
