"""Push a workspace to the shared server: sites and meters (by their UUIDs, assigned in the
workspace, so nothing collides across laptops), then readings after each meter's watermark, in
batches sent with binary COPY — straight into the organisation's partition when the batch is
newer than anything the server holds for the meter, else into a staging table merged with
ON CONFLICT DO NOTHING.

Idempotent: a batch sent twice changes nothing. Resumable: the watermark of a meter moves only
after the server committed the batch, so an interrupted push re-sends at most one batch.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

import polars as pl

from energize_desktop.core.instants import from_us
from energize_desktop.core.prefetch import prefetch
from energize_desktop.storage.api import WorkspaceAPI
from energize_desktop.storage.metadata import (
    SYNC_LAST,
    SYNC_LAST_AT,
    SYNC_ROLLUPS,
    SYNC_WATERMARK,
)
from energize_desktop.sync import pgcopy
from energize_desktop.sync.server import SyncError, _first_line, check_version

BATCH_ROWS = 1_000_000


@dataclass
class PushResult:
    sites: int = 0
    meters: int = 0
    anomalies: int = 0
    alerts: int = 0
    readings_sent: int = 0
    readings_new: int = 0
    rollups: int = 0
    batches: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def server_key(conn) -> str:
    info = conn.info
    return f"{info.host}:{info.port}/{info.dbname}"


def push(ws: WorkspaceAPI, conn, progress=None, full: bool = False) -> PushResult:
    import psycopg

    started = time.perf_counter()
    check_version(conn)
    org = organisation(conn)
    server = server_key(conn)
    marks = {} if full else SYNC_WATERMARK.get(ws, server)
    out = PushResult()
    try:
        out.sites, out.meters = _definitions(ws, conn, org)
        _readings(ws, conn, org, marks, lambda: SYNC_WATERMARK.set(ws, marks, server), out,
                  progress)
        out.rollups = _rollups(ws, conn, org, full)
        out.anomalies = _anomalies(ws, conn, org)
        out.alerts = _alerts(ws, conn, org)
    except psycopg.Error as exc:
        raise SyncError(f"sync stopped ({_first_line(exc)}); what was committed is kept and "
                        "the next sync carries on from there") from None
    finished = datetime.now(timezone.utc).isoformat(timespec="seconds")
    SYNC_LAST_AT.set(ws, finished, server)
    SYNC_LAST.set(ws, finished)
    out.seconds = time.perf_counter() - started
    return out


def _readings(ws: WorkspaceAPI, conn, org: str, marks: dict, keep_marks, out: PushResult, progress) -> list:
    """Each meter's batches after its watermark, read and encoded one batch ahead on a helper
    thread while the server takes the current one; the watermark moves after each commit.
    Returns the meters that sent readings."""
    partition = _partition(conn, org)
    meters, touched = ws.meters(), {}
    for i, meter, batch in prefetch(_encoded(ws, meters, marks, org, partition)):
        if batch is None:  # this meter is done
            if progress:
                progress(i + 1, len(meters), meter.name)
            continue
        sent, new = _send(conn, batch, meter.uid, org, partition)
        touched[meter.uid] = meter
        marks[meter.uid] = int(batch["ts"][-1])
        keep_marks()  # only after the server committed it
        out.readings_sent += sent
        out.readings_new += new
        out.batches += 1
    return list(touched.values())


def _rollups(ws: WorkspaceAPI, conn, org: str, full: bool) -> int:
    from energize_desktop.sync import rollups

    server = server_key(conn)
    marks = {} if full else SYNC_ROLLUPS.get(ws, server)
    due = rollups.due(ws, ws.meters(), marks)
    return rollups.push(ws, conn, org, due, marks,
                        keep=lambda: SYNC_ROLLUPS.set(ws, marks, server))


def _encoded(ws: WorkspaceAPI, meters, marks: dict, org: str, partition: str | None):
    for i, meter in enumerate(meters):
        for batch in _batches(ws, meter, marks.get(meter.uid)):
            if partition:
                batch["copy"] = pgcopy.readings(batch["ts"], batch["value"], batch["quality"],
                                                meter.uid, org)
            yield i, meter, batch
        yield i, meter, None


def organisation(conn) -> str:
    orgs = [r[0] for r in conn.execute("SELECT energize.my_orgs()").fetchall()]
    if len(orgs) != 1:
        raise SyncError(f"role {conn.info.user!r} is registered for {len(orgs)} organisations "
                        "on this server; an operator must add it with energize server "
                        "add-laptop")
    return orgs[0]


def _definitions(ws: WorkspaceAPI, conn, org: str) -> tuple[int, int]:
    sites = ws.sites()
    with conn.transaction():
        for s in sites:
            conn.execute(
                "INSERT INTO energize.sites (uid, org, name, timezone, floor_area_m2, address, "
                "country, subdivision, building_type) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (uid) DO UPDATE SET "
                "name = excluded.name, timezone = excluded.timezone, floor_area_m2 = "
                "excluded.floor_area_m2, address = excluded.address, country = "
                "excluded.country, subdivision = excluded.subdivision, building_type = "
                "excluded.building_type, updated_at = now()",
                [s.uid, org, s.name, s.timezone, s.floor_area_m2, s.address, s.country or None,
                 s.subdivision or None, s.building_type or None])
        uids = {s.id: s.uid for s in sites}
        meters = ws.meters()
        uid_of = {m.id: m.uid for m in meters}
        for m in meters:
            conn.execute(
                "INSERT INTO energize.meters (uid, org, site_uid, name, kind, unit, semantics, "
                "interval_s, parent_uid, role, fuel, enabled, calorific_kwh_per_m3, formula) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb) "
                "ON CONFLICT (uid) DO UPDATE SET name = excluded.name, unit = excluded.unit, "
                "parent_uid = excluded.parent_uid, role = excluded.role, fuel = excluded.fuel, "
                "enabled = excluded.enabled, calorific_kwh_per_m3 = "
                "excluded.calorific_kwh_per_m3, formula = excluded.formula, updated_at = now()",
                [m.uid, org, uids[m.site_id], m.name, m.kind.value, m.unit, m.semantics.value,
                 m.interval_s, uid_of.get(m.parent_id), m.effective_role.value, m.fuel,
                 m.enabled, m.calorific_kwh_per_m3, m.formula or None])
    return len(sites), len(meters)


def _batches(ws: WorkspaceAPI, meter, since_us: int | None):
    start = None if since_us is None else datetime.fromtimestamp(
        (since_us + 1) / 1e6, timezone.utc)
    frame = ws.queries.readings([meter.id], start)
    if not frame.height:
        return
    ts = frame["ts"].cast(pl.Int64).to_numpy()
    for a in range(0, len(ts), BATCH_ROWS):
        part = frame.slice(a, BATCH_ROWS)
        yield {"ts": ts[a:a + BATCH_ROWS], "value": part["value"].to_numpy(),
               "quality": part["quality"].to_numpy().astype("int16")}


def _partition(conn, org: str) -> str | None:
    """The organisation's readings partition, where this laptop may COPY (None on TimescaleDB
    or for a role without the right: the staging path then)."""
    row = conn.execute("SELECT readings_table FROM energize.orgs WHERE org = %s AND "
                       "readings_table IS NOT NULL AND has_table_privilege("
                       "'energize.' || readings_table, 'INSERT')", [org]).fetchone()
    return row[0] if row else None


def _send(conn, batch: dict, meter_uid: str, org: str, partition: str | None):
    """One batch in one transaction; returns (sent, new on the server). A batch wholly after
    what the server holds for the meter is copied in without a conflict check; should another
    copy of the workspace have sent it meanwhile, the primary key refuses it and the batch is
    merged instead."""
    import psycopg

    newest = newest_on_server(conn, meter_uid)
    if newest is None or newest < int(batch["ts"][0]):
        try:
            if partition:
                return _copy_into(conn, batch, partition)
            return _stage_and_insert(conn, batch, meter_uid, org, on_conflict="")
        except psycopg.errors.UniqueViolation:
            pass
    return _stage_and_insert(conn, batch, meter_uid, org,
                             on_conflict="ON CONFLICT DO NOTHING")


def newest_on_server(conn, meter_uid: str) -> int | None:
    """The meter's newest reading on the server (Unix µs), None when it has none."""
    return conn.execute("SELECT (extract(epoch FROM max(ts)) * 1000000)::bigint FROM "
                        "energize.readings WHERE meter_uid = %s", [meter_uid]).fetchone()[0]


def _copy_into(conn, batch: dict, partition: str):
    with conn.transaction(), conn.cursor() as cur:
        with cur.copy(f"COPY energize.{partition} (meter_uid, ts, value, quality, org) FROM "
                      "STDIN (FORMAT binary)") as copy:
            copy.write(batch["copy"])  # encoded ahead by _encoded
        return len(batch["ts"]), cur.rowcount


def _stage_and_insert(conn, batch: dict, meter_uid: str, org: str, on_conflict: str):
    data = pgcopy.readings(batch["ts"], batch["value"], batch["quality"])
    with conn.transaction():
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS staging (ts timestamptz, value double "
                     "precision, quality smallint) ON COMMIT DELETE ROWS")
        conn.execute("TRUNCATE staging")  # one meter's batch at a time, whatever came before
        with conn.cursor().copy("COPY staging (ts, value, quality) FROM STDIN "
                                "(FORMAT binary)") as copy:
            copy.write(data)
        cur = conn.execute(
            "INSERT INTO energize.readings (meter_uid, ts, value, quality, org) "
            f"SELECT %s, ts, value, quality, %s FROM staging {on_conflict}", [meter_uid, org])
        return len(batch["ts"]), cur.rowcount


def _anomalies(ws: WorkspaceAPI, conn, org: str) -> int:
    """Anomaly events, each with a UUID derived from its meter, start and kind — the same event
    found again on another run or laptop is the same row."""
    import uuid

    from energize_desktop.storage.anomalies import AnomalyStore

    uids = {m.id: m.uid for m in ws.meters()}
    rows = []
    for e in AnomalyStore(ws).events(list(uids)):
        meter_uid = uids[e["meter_id"]]
        uid = uuid.uuid5(uuid.UUID(meter_uid), f"{e['start_us']}:{e['kind']}")
        rows.append((str(uid), org, meter_uid, from_us(e["start_us"]), from_us(e["end_us"]),
                     e["kind"], e["severity"], e["explanation"]))
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany("INSERT INTO energize.anomalies (uid, org, meter_uid, start_ts, end_ts, "
                        "kind, severity, explanation) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                        "ON CONFLICT (uid) DO NOTHING", rows)
    return len(rows)




def _alerts(ws: WorkspaceAPI, conn, org: str) -> int:
    """Alerts with their state and audit trail; the state on the server follows the laptop's
    (the laptop that raised an alert is where it is acknowledged and resolved)."""
    import uuid

    from energize_desktop.storage.alerts import AlertStore

    store = AlertStore(ws)
    uids = {m.id: m.uid for m in ws.meters()}
    namespace = uuid.UUID(ws.sites()[0].uid) if ws.sites() else uuid.NAMESPACE_URL
    rows = []
    for a in store.alerts(("open", "acknowledged", "resolved")):
        audit = [{"at": str(at), "who": who, "action": action, "note": note}
                 for at, who, action, note in store.audit(a["id"])]
        uid = uuid.uuid5(namespace, f"alert:{a['id']}:{a['opened_at']}")
        rows.append((str(uid), org, uids.get(a["meter_id"]), a["state"], a["severity"],
                     a["message"], a["opened_at"].replace(tzinfo=timezone.utc),
                     json.dumps(audit)))
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany("INSERT INTO energize.alerts (uid, org, meter_uid, state, severity, "
                        "message, opened_at, audit) VALUES (%s, %s, %s, %s, %s, %s, %s, "
                        "%s::jsonb) ON CONFLICT (uid) DO UPDATE SET state = excluded.state, "
                        "audit = excluded.audit, updated_at = now()", rows)
    return len(rows)
