"""Sync to a real PostgreSQL (initdb + postgres on a free loopback port): schema and roles,
idempotent and resumable pushes, two laptops on one site, row-level security, clear errors."""

import shutil
import tempfile
from pathlib import Path

import numpy as np
import psycopg
import pytest

from energize_desktop.cli import main
from energize_desktop.sync.server import SERVER_SCHEMA_VERSION
from tests.peers import PG_BIN, Postgres

pytestmark = pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason="PostgreSQL missing")


@pytest.fixture(scope="module")
def pg():
    server = Postgres().init().start()
    assert main(["server", "init", "--dsn", server.dsn()]) == 0
    for role, org, ro in (("acme_laptop", "acme", False), ("acme_laptop2", "acme", False),
                          ("other_laptop", "other", False), ("acme_dash", "acme", True)):
        import os

        os.environ["ENERGIZE_NEW_PASSWORD"] = f"{role}-pw"
        args = ["server", "add-laptop", "--dsn", server.dsn(), "--org", org, "--role", role]
        assert main(args + (["--read-only"] if ro else [])) == 0
    yield server
    server.remove()


def dsn(pg, role):
    return pg.dsn(role, f"{role}-pw")


def count(pg, sql, role=None, params=()):
    with psycopg.connect(dsn(pg, role) if role else pg.dsn()) as c:
        return c.execute(sql, params).fetchone()[0]


def small_workspace(path, site_uid=None):
    """One site, one 15-min meter with two days of readings."""
    from energize_desktop.core.model import Meter, Site
    from energize_desktop.storage import Workspace

    ws = Workspace.create(path)
    site = ws.add_site(Site("Depot", "Europe/London", uid=site_uid) if site_uid else
                       Site("Depot", "Europe/London"))
    meter = ws.add_meter(Meter("Main", "electricity", "kWh", "interval", site_id=site.id))
    ts = np.datetime64("2025-03-01T00:00", "us").astype(np.int64) + \
        np.arange(192, dtype=np.int64) * 900_000_000
    ws.writer().append({"meter_id": np.full(192, meter.id, np.int32), "ts": ts,
                        "value": np.ones(192)})
    ws.close()
    return path


def test_push_is_idempotent_and_incremental(pg, demo_copy, capsys):
    before = count(pg, "SELECT count(*) FROM energize.readings")
    assert main(["sync", "-w", str(demo_copy), "--dsn", dsn(pg, "acme_laptop")]) == 0
    out = capsys.readouterr().out
    stored = count(pg, "SELECT count(*) FROM energize.readings") - before
    from energize_desktop.storage import Workspace

    with Workspace.open(demo_copy, read_only=True) as ws:
        total = ws.queries.readings([m.id for m in ws.meters()]).height
        uids = {m.uid for m in ws.meters() if not m.is_virtual}  # a virtual one has no readings
        # a virtual meter is computed from its terms: the server gets the terms, not it
        hours = ws.queries.rollup("hour", [m.id for m in ws.meters() if not m.is_virtual])
        main_meter = ws.meter("Main incomer")
        days = ws.queries.rollup("day", [main_meter.id])
        outdoor = ws.meter("Outdoor temperature")
        outdoor_means = ws.queries.rollup("hour", [outdoor.id])["mean"]
    assert stored == total and f"{total:,} new on the server" in out
    assert count(pg, "SELECT count(*) FROM energize.rollups_hour WHERE meter_uid = "
                     "ANY(%s::uuid[])", params=(list(uids),)) == hours.height
    assert count(pg, "SELECT sum(amount) FROM energize.rollups_day WHERE meter_uid = %s",
                 "acme_laptop", (main_meter.uid,)) == pytest.approx(days["amount"].sum())
    with psycopg.connect(dsn(pg, "acme_laptop")) as c:  # a sampled level: no amount, a mean
        amounts, mean = c.execute("SELECT count(amount), avg(mean) FROM energize.rollups_hour "
                                  "WHERE meter_uid = %s", [outdoor.uid]).fetchone()
    assert amounts == 0 and mean == pytest.approx(outdoor_means.mean())
    from energize_desktop.storage import Workspace as W

    with W.open(demo_copy, read_only=True) as ws:  # kept for next time, its password not
        assert "acme_laptop-pw" not in ws.get_meta("sync_dsn")
    assert main(["sync", "-w", str(demo_copy)]) == 0  # the password comes from the keyring
    assert "0 readings sent, 0 new on the server, 0 batch(es), 0 hourly" in \
        capsys.readouterr().out
    assert main(["sync", "-w", str(demo_copy), "--full"]) == 0  # every reading again
    assert f"{total:,} readings sent, 0 new" in capsys.readouterr().out
    assert count(pg, "SELECT count(*) FROM energize.readings") - before == total
    assert count(pg, "SELECT count(DISTINCT meter_uid) FROM energize.readings WHERE meter_uid "
                     "= ANY(%s::uuid[])", params=(list(uids),)) == len(uids)
    assert main(["detect", "-w", str(demo_copy), "--meter", "HVAC"]) == 0
    capsys.readouterr()
    for _ in range(2):  # found again, pushed again: the same rows
        assert main(["sync", "-w", str(demo_copy)]) == 0
    with Workspace.open(demo_copy, read_only=True) as ws:
        from energize_desktop.storage.anomalies import AnomalyStore

        events = len(AnomalyStore(ws).events([m.id for m in ws.meters()]))
        every = [m.uid for m in ws.meters()]  # a virtual meter's anomalies travel too
    assert events > 0 and count(pg, "SELECT count(*) FROM energize.anomalies WHERE meter_uid = "
                                    "ANY(%s::uuid[])", params=(every,)) == events


def test_two_laptops_on_one_site_and_a_killed_server(pg, tmp_path, capsys):
    import uuid

    site_uid = str(uuid.uuid4())
    a = small_workspace(tmp_path / "a.energize", site_uid)
    b = small_workspace(tmp_path / "b.energize", site_uid)
    assert main(["sync", "-w", str(a), "--dsn", dsn(pg, "acme_laptop")]) == 0
    assert main(["sync", "-w", str(b), "--dsn", dsn(pg, "acme_laptop2")]) == 0
    assert count(pg, "SELECT count(*) FROM energize.sites WHERE uid = %s",
                 params=(site_uid,)) == 1  # one site, by its UUID
    assert count(pg, "SELECT count(*) FROM energize.meters m WHERE site_uid = %s",
                 params=(site_uid,)) == 2  # each laptop's meter keeps its own UUID
    assert count(pg, "SELECT count(*) FROM energize.readings r JOIN energize.meters m ON "
                     "m.uid = r.meter_uid WHERE m.site_uid = %s", params=(site_uid,)) == 384
    capsys.readouterr()
    pg.kill()
    c = small_workspace(tmp_path / "c.energize")
    assert main(["sync", "-w", str(c), "--dsn", dsn(pg, "acme_laptop")]) == 1
    assert "cannot connect to the server" in capsys.readouterr().err
    pg.start()
    assert main(["sync", "-w", str(c)]) == 0
    assert count(pg, "SELECT count(*) FROM energize.readings r JOIN energize.meters m ON "
                     "m.uid = r.meter_uid JOIN energize.sites s ON s.uid = m.site_uid WHERE "
                     "s.name = 'Depot' AND m.org = 'acme'") == 3 * 192  # each exactly once


def test_row_level_security_keeps_organisations_apart(pg, tmp_path):
    import uuid

    other = small_workspace(tmp_path / "other.energize")
    assert main(["sync", "-w", str(other), "--dsn", dsn(pg, "other_laptop")]) == 0
    assert count(pg, "SELECT count(*) FROM energize.sites", "other_laptop") == 1
    acme_sites = count(pg, "SELECT count(*) FROM energize.sites", "acme_laptop")
    assert acme_sites >= 1 and count(pg, "SELECT count(*) FROM energize.sites WHERE org = "
                                         "'other'", "acme_laptop") == 0
    with psycopg.connect(dsn(pg, "acme_laptop")) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            c.execute("INSERT INTO energize.sites (uid, org, name, timezone) VALUES "
                      "(gen_random_uuid(), 'other', 'intruder', 'UTC')")
    assert count(pg, "SELECT count(*) FROM energize.readings", "other_laptop") == 192
    from energize_desktop.sync.layout import partition_name

    acme, other_part = partition_name("acme"), partition_name("other")
    assert count(pg, "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = "
                     "i.inhparent WHERE c.relname = %s", params=(other_part,)) == 62  # years
    assert count(pg, f"SELECT count(*) FROM energize.{other_part}_2025") == 192
    with psycopg.connect(dsn(pg, "other_laptop")) as c:  # no way round the policy
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute(f"SELECT count(*) FROM energize.{other_part}_2025")
    with psycopg.connect(dsn(pg, "acme_laptop")) as c:  # nor round the partitions
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            with c.cursor().copy(f"COPY energize.{other_part} (meter_uid, ts, value, quality, "
                                 "org) FROM STDIN") as copy:
                copy.write(f"{uuid.uuid4()}\t2025-01-01 00:00+00\t1\t0\tother\n")
    with psycopg.connect(dsn(pg, "acme_laptop")) as c:
        with pytest.raises(psycopg.errors.CheckViolation):  # its own, with another's rows
            with c.cursor().copy(f"COPY energize.{acme} (meter_uid, ts, value, quality, "
                                 "org) FROM STDIN") as copy:
                copy.write(f"{uuid.uuid4()}\t2025-01-01 00:00+00\t1\t0\tother\n")
    assert count(pg, "SELECT count(*) FROM energize.readings WHERE org = 'other'") == 192
    with psycopg.connect(dsn(pg, "acme_dash")) as c:
        assert c.execute("SELECT count(*) FROM energize.sites").fetchone()[0] == acme_sites
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("DELETE FROM energize.readings")


def test_clear_errors_leave_the_workspace_unchanged(pg, tmp_path, capsys):
    ws = small_workspace(tmp_path / "w.energize")
    assert main(["sync", "-w", str(ws), "--dsn", pg.dsn("acme_laptop", "wrong")]) == 1
    assert "password authentication failed" in capsys.readouterr().err
    port = pg.port + 1 if pg.port < 65000 else pg.port - 1
    assert main(["sync", "-w", str(ws), "--dsn",
                 f"postgresql://acme_laptop:x@127.0.0.1:{port}/postgres"]) == 1
    assert "cannot connect to the server" in capsys.readouterr().err
    with psycopg.connect(pg.dsn()) as c:
        c.execute("UPDATE energize.meta SET value = '99' WHERE key = 'schema_version'")
    try:
        assert main(["sync", "-w", str(ws), "--dsn", dsn(pg, "acme_laptop")]) == 1
        assert "newer than this Energize reads" in capsys.readouterr().err
    finally:
        with psycopg.connect(pg.dsn()) as c:
            c.execute("UPDATE energize.meta SET value = %s WHERE key = 'schema_version'",
                      [str(SERVER_SCHEMA_VERSION)])
    from energize_desktop.storage import Workspace

    with Workspace.open(ws, read_only=True) as w:
        assert w.get_meta("sync_watermark:127.0.0.1:%d/postgres" % pg.port) is None


def test_shared_tariffs_and_factors_reach_other_laptops_with_conflicts_reported(
        pg, tmp_path, capsys):
    import json

    from energize_desktop.storage import Workspace
    from energize_desktop.storage.energy_terms import TariffStore

    a = small_workspace(tmp_path / "share-a.energize")
    b = small_workspace(tmp_path / "share-b.energize")
    tariff = tmp_path / "t.json"
    tariff.write_text(json.dumps({"name": "Team flat", "currency": "GBP", "per_kwh": 0.25}))
    assert main(["tariff", "-w", str(a), "add", str(tariff)]) == 0
    assert main(["carbon", "-w", str(a), "add-factor", "--from", "2025-01-01", "--kg", "0.2",
                 "--source", "team table"]) == 0
    assert main(["sync", "-w", str(a), "--dsn", dsn(pg, "acme_laptop"), "--share"]) == 0
    capsys.readouterr()
    assert main(["sync", "-w", str(b), "--dsn", dsn(pg, "acme_laptop2")]) == 0
    out = capsys.readouterr().out
    assert "pulled tariff 'Team flat'" in out and "pulled carbon 'electricity'" in out
    with Workspace.open(b) as ws:
        assert TariffStore(ws).load("Team flat")["per_kwh"] == 0.25
        TariffStore(ws).save("Team flat", {"name": "Team flat", "currency": "GBP",
                                           "per_kwh": 0.30})
    assert main(["sync", "-w", str(b), "--keep-local"]) == 0
    assert "kept local" in capsys.readouterr().out
    with Workspace.open(b, read_only=True) as ws:
        assert TariffStore(ws).load("Team flat")["per_kwh"] == 0.30
    assert main(["sync", "-w", str(b)]) == 0
    assert "the server's taken" in capsys.readouterr().out
    with Workspace.open(b, read_only=True) as ws:
        assert TariffStore(ws).load("Team flat")["per_kwh"] == 0.25
    other = small_workspace(tmp_path / "share-o.energize")
    assert main(["sync", "-w", str(other), "--dsn", dsn(pg, "other_laptop")]) == 0
    assert "Team flat" not in capsys.readouterr().out  # another organisation's definitions


def test_alerts_and_their_notes_follow_the_laptop(pg, tmp_path, capsys):
    from energize_desktop.storage import Workspace
    from energize_desktop.storage.alerts import AlertStore

    path = small_workspace(tmp_path / "alerts.energize")
    with Workspace.open(path) as ws:
        store = AlertStore(ws)
        rule = store.add_rule("high", '{"kind": "above", "limit": 5}', meter_id=1)
        alert = store.open(rule, 1, "warning", "Main above 5 kWh")
    assert main(["sync", "-w", str(path), "--dsn", dsn(pg, "acme_laptop")]) == 0
    assert "1 alerts" in capsys.readouterr().out
    with Workspace.open(path) as ws:
        AlertStore(ws).move(alert, "acknowledge", "engineer", "checking the chiller")
    assert main(["sync", "-w", str(path)]) == 0
    with psycopg.connect(dsn(pg, "acme_laptop")) as c:
        state, audit = c.execute("SELECT state, audit FROM energize.alerts WHERE message = "
                                 "'Main above 5 kWh'").fetchone()
    assert state == "acknowledged" and audit[-1]["note"] == "checking the chiller"
    assert count(pg, "SELECT count(*) FROM energize.alerts WHERE message = 'Main above 5 kWh'",
                 "other_laptop") == 0


def test_a_version_3_server_is_upgraded_with_its_readings_and_races_merge(tmp_path, capsys,
                                                                          monkeypatch):
    """An older server keeps every reading through `server init`; a laptop refuses it until
    then; a batch another laptop sent between the check and the COPY is merged, not doubled."""
    from energize_desktop.storage import Workspace
    from energize_desktop.sync import push as push_module
    from energize_desktop.sync import server as srv

    pg = Postgres().init().start()
    try:
        path = small_workspace(tmp_path / "old.energize")
        with Workspace.open(path, read_only=True) as ws:
            site, meter = ws.sites()[0], ws.meters()[0]
        with psycopg.connect(pg.dsn(), autocommit=True) as c:
            srv.init(c, target=3)
            c.execute("CREATE ROLE old_laptop LOGIN PASSWORD 'old_laptop-pw'")
            c.execute("GRANT USAGE ON SCHEMA energize TO old_laptop")
            for table in ("sites", "meters", "readings", "anomalies", "definitions", "alerts"):
                c.execute(f"GRANT SELECT, INSERT, UPDATE ON energize.{table} TO old_laptop")
            c.execute("GRANT SELECT ON energize.meta TO old_laptop")
            c.execute("INSERT INTO energize.laptops VALUES ('old_laptop', 'acme', true)")
            c.execute("INSERT INTO energize.sites (uid, org, name, timezone) VALUES "
                      "(%s, 'acme', 'Depot', 'UTC')", [site.uid])
            c.execute("INSERT INTO energize.meters VALUES (%s, 'acme', %s, 'Main', "
                      "'electricity', 'kWh', 'interval', 900)", [meter.uid, site.uid])
            c.execute("INSERT INTO energize.readings SELECT %s, timestamptz '2025-03-01 00:00Z' "
                      "+ i * interval '15 minutes', 1, 0, 'acme' FROM generate_series(0, 99) i",
                      [meter.uid])  # the first 100 of the workspace's 192, sent under v3
        assert main(["sync", "-w", str(path), "--dsn", dsn(pg, "old_laptop")]) == 1
        assert "older than this Energize needs" in capsys.readouterr().err
        with psycopg.connect(pg.dsn(), autocommit=True) as c:
            done = srv.init(c)
        assert f"schema version {SERVER_SCHEMA_VERSION}" in done and any("100 readings moved" in d for d in done)
        monkeypatch.setattr(push_module, "newest_on_server", lambda conn, uid: None)
        assert main(["sync", "-w", str(path), "--dsn", dsn(pg, "old_laptop")]) == 0
        assert "192 readings sent, 92 new" in capsys.readouterr().out
        assert count(pg, "SELECT count(*) FROM energize.readings") == 192
        assert count(pg, "SELECT count(DISTINCT ts) FROM energize.readings", "old_laptop") == 192
    finally:
        pg.remove()


def test_sites_meters_and_alert_rules_are_pulled_with_their_uuids(pg, tmp_path, capsys):
    from energize_desktop.core.model import Meter, Site
    from energize_desktop.storage import Workspace
    from energize_desktop.storage.alerts import AlertStore

    a_path, b_path = tmp_path / "pull-a.energize", tmp_path / "pull-b.energize"
    with Workspace.create(a_path) as a:
        site = a.add_site(Site("Annex", "Europe/London", floor_area_m2=800))
        meter = a.add_meter(Meter("Annex main", "electricity", "kWh", "interval",
                                  site_id=site.id))
        AlertStore(a).add_rule("Annex high", '{"name": "Annex high", "kind": "above", '
                               f'"limit": 40, "meter_id": {meter.id}}}', meter_id=meter.id)
    Workspace.create(b_path).close()
    assert main(["sync", "-w", str(a_path), "--dsn", dsn(pg, "acme_laptop"), "--share"]) == 0
    capsys.readouterr()
    assert main(["sync", "-w", str(b_path), "--dsn", dsn(pg, "acme_laptop2")]) == 0
    out = capsys.readouterr().out
    assert "pulled site 'Annex'" in out and "pulled meter 'Annex main'" in out
    assert "pulled alert rule 'Annex high'" in out
    with Workspace.open(b_path, read_only=True) as b:
        pulled = b.meter("Annex main")
        assert pulled.uid == meter.uid and b.site("Annex").floor_area_m2 == 800
        rules = AlertStore(b).rule_rows()
        assert [(r["name"], r["meter_id"]) for r in rules] == [("Annex high", pulled.id)]
    with Workspace.open(a_path) as a:  # renamed on A, pushed over the server's name
        a.update_site(replace_site(a.site("Annex"), name="Annex North"))
    assert main(["sync", "-w", str(a_path), "--keep-local"]) == 0
    with psycopg.connect(pg.dsn()) as c:  # the operator changes the meter's unit
        c.execute("UPDATE energize.meters SET unit = 'MWh' WHERE uid = %s", [meter.uid])
    capsys.readouterr()
    assert main(["sync", "-w", str(b_path)]) == 0
    out = capsys.readouterr().out
    assert "site 'Annex': differed from the server's; the server's taken" in out
    assert "electricity/kWh/interval here, electricity/MWh/interval on the server; kept" in out
    with Workspace.open(b_path, read_only=True) as b:
        assert b.site(pulled.site_id).name == "Annex North"
        assert b.meter(pulled.uid).unit == "kWh"


def replace_site(site, **changes):
    from dataclasses import replace

    return replace(site, **changes)


@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl missing")
def test_tls_with_verify_full_and_a_wrong_authority(tmp_path, capsys):
    import os

    from tests.peers import _certificates

    pg = Postgres().init()
    try:
        ca = _certificates(pg.folder)  # the server's files, readable by it alone
        for name in ("server.crt", "server.key"):
            os.chmod(pg.folder / name, 0o600)
            if os.geteuid() == 0:
                shutil.chown(pg.folder / name, "postgres")
        wrong = _certificates(Path(tempfile.mkdtemp(dir=tmp_path)))
        pg.start(ssl="on", ssl_cert_file=pg.folder / "server.crt",
                 ssl_key_file=pg.folder / "server.key")
        with psycopg.connect(pg.dsn(), autocommit=True) as c:
            from energize_desktop.sync import server as srv

            srv.init(c)
            srv.add_laptop(c, "tls_laptop", "acme", "tls-pw")
        path = small_workspace(tmp_path / "tls.energize")
        base = pg.dsn("tls_laptop", "tls-pw") + "?sslmode=verify-full&sslrootcert="
        assert main(["sync", "-w", str(path), "--dsn", base + str(wrong)]) == 1
        assert "certificate verify failed" in capsys.readouterr().err
        assert main(["sync", "-w", str(path), "--dsn", base + str(ca)]) == 0
        assert "192 new on the server" in capsys.readouterr().out
        with psycopg.connect(base + str(ca)) as c:
            assert c.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()") \
                .fetchone()[0] is True
    finally:
        pg.remove()


def test_a_scheduled_sync_outlives_an_unreachable_server(pg, tmp_path, capsys, monkeypatch):
    """`sync --every`: a failed round (server down) is reported and the next one tried; the
    round after the server is back catches up."""
    from energize_desktop.cli import sync as cli_sync

    path = small_workspace(tmp_path / "every.energize")
    rounds = []

    def next_round(seconds):  # stands in for the schedule's wait
        rounds.append(seconds)
        if len(rounds) == 1:
            pg.start()  # back before the second round
        if len(rounds) == 3:
            raise KeyboardInterrupt

    pg.stop()
    monkeypatch.setattr(cli_sync, "wait", next_round)
    try:
        assert main(["sync", "-w", str(path), "--every", "5", "--dsn",
                     dsn(pg, "acme_laptop")]) == 0
    finally:
        if pg.proc.poll() is not None:
            pg.start()
    captured = capsys.readouterr()
    assert "sync failed: cannot connect to the server" in captured.err
    assert "next try in 5 min" in captured.err and rounds == [300, 300, 300]
    assert "192 new on the server" in captured.out and "0 new on the server" in captured.out


def test_rollups_of_an_interrupted_run_are_sent_by_the_next(pg, tmp_path, capsys, monkeypatch):
    """Readings committed, then the run dies before the rollups: the next sync sends them
    although no reading of those meters is new."""
    from energize_desktop.sync import push as push_module

    path = small_workspace(tmp_path / "cut.energize")
    real = push_module._rollups

    def killed(*a, **k):
        raise psycopg.OperationalError("server closed the connection")

    monkeypatch.setattr(push_module, "_rollups", killed)
    assert main(["sync", "-w", str(path), "--dsn", dsn(pg, "acme_laptop")]) == 1
    from energize_desktop.storage import Workspace

    with Workspace.open(path, read_only=True) as ws:
        uid = ws.meter("Main").uid
    hours = "SELECT count(*) FROM energize.rollups_hour WHERE meter_uid = %s"
    assert count(pg, hours, params=[uid]) == 0
    monkeypatch.setattr(push_module, "_rollups", real)
    assert main(["sync", "-w", str(path)]) == 0
    assert count(pg, hours, params=[uid]) == 48
    assert count(pg, "SELECT count(*) FROM energize.rollups_day WHERE meter_uid = %s",
                 params=[uid]) == 2


def test_another_organisation_cannot_write_rollups_under_a_meter_it_does_not_own(pg, tmp_path,
                                                                               capsys):
    path = small_workspace(tmp_path / "acme.energize")
    from energize_desktop.storage import Workspace

    with Workspace.open(path, read_only=True) as ws:
        uid = ws.meter("Main").uid
    with psycopg.connect(dsn(pg, "other_laptop")) as other:  # before acme has synced at all
        for org in ("other", "acme"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                other.execute("INSERT INTO energize.rollups_hour (meter_uid, bucket, n, org) "
                              "VALUES (%s, '2025-03-01 00:00+00', 1, %s)", [uid, org])
            other.rollback()
    assert main(["sync", "-w", str(path), "--dsn", dsn(pg, "acme_laptop")]) == 0
    assert count(pg, "SELECT count(*) FROM energize.rollups_hour WHERE meter_uid = %s",
                 params=[uid]) == 48


def test_a_server_side_site_total_adds_no_sub_export_or_virtual_meter(pg, demo_copy, capsys):
    """The server knows each meter's parent, role, fuel and formula: its site total of June
    (top-level import meters only, from the daily rollups) equals the laptop's ledger."""
    from energize_desktop.core.periods import period
    from energize_desktop.jobs import ledger
    from energize_desktop.storage import Workspace

    assert main(["sync", "-w", str(demo_copy), "--dsn", dsn(pg, "acme_laptop")]) == 0
    capsys.readouterr()
    with Workspace.open(demo_copy, read_only=True) as ws:
        start, end = period("2025-06", "Europe/London")
        site = ws.site("Riverside Office")  # the sync pulled the organisation's other sites
        expected = ledger.site_ledger(ws, site, start, end).fuels["electricity"].import_kwh
        hvac, virtual = ws.meter("HVAC"), ws.meter("Building consumption")
    with psycopg.connect(dsn(pg, "acme_laptop")) as c:
        total = c.execute(
            "SELECT sum(r.amount) FROM energize.rollups_day r JOIN energize.meters m "
            "ON m.uid = r.meter_uid JOIN energize.sites s ON s.uid = m.site_uid "
            "WHERE s.uid = %s AND m.fuel = 'electricity' AND m.role = 'import' "
            "AND m.parent_uid IS NULL AND m.formula IS NULL AND m.enabled "
            "AND r.bucket >= '2025-06-01' AND r.bucket < '2025-07-01'", [site.uid]).fetchone()[0]
        parent, formula = c.execute("SELECT parent_uid::text, role FROM energize.meters "
                                    "WHERE uid = %s", [hvac.uid]).fetchone(), \
            c.execute("SELECT formula, role FROM energize.meters WHERE uid = %s",
                      [virtual.uid]).fetchone()
        country = c.execute("SELECT country, building_type FROM energize.sites WHERE uid = %s",
                            [site.uid]).fetchone()
    assert total == pytest.approx(expected, rel=1e-6)
    assert parent[1] == "sub" and parent[0] is not None
    assert formula[1] == "other" and [t["scale"] for t in formula[0]] == [1.0, 1.0, -1.0]
    assert country == ("GB", "office")
