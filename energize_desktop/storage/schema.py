"""Workspace schema and its migrations.

A workspace records APP_ID and its schema version in `meta`. Migrations are plain SQL run in one
transaction after the file has been copied aside (see workspace.py), and never run code that a
file brings with it: the file only ever selects which of *our* migrations to apply.
"""

APP_ID = "energize-workspace"
SCHEMA_VERSION = 7

ROLLUP_COLUMNS = """
    amount DOUBLE, peak DOUBLE, covered_s DOUBLE, estimated_s DOUBLE,
    vmin DOUBLE, vmax DOUBLE, vsum DOUBLE, n INTEGER
"""

ROLLUP_TABLES = {0: "rollup_15min", 1: "rollup_hour", 2: "rollup_day", 3: "rollup_month"}

V1 = [
    "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    """CREATE TABLE sites (
        id INTEGER PRIMARY KEY, uid VARCHAR NOT NULL UNIQUE, name VARCHAR NOT NULL UNIQUE,
        address VARCHAR, latitude DOUBLE, longitude DOUBLE, floor_area_m2 DOUBLE,
        timezone VARCHAR NOT NULL, building_type VARCHAR)""",
    """CREATE TABLE meters (
        id INTEGER PRIMARY KEY, uid VARCHAR NOT NULL UNIQUE, site_id INTEGER NOT NULL,
        name VARCHAR NOT NULL, kind VARCHAR NOT NULL, unit VARCHAR NOT NULL,
        semantics VARCHAR NOT NULL, interval_s INTEGER NOT NULL, max_gap_s INTEGER,
        rollover DOUBLE, max_power_kw DOUBLE, calorific_kwh_per_m3 DOUBLE,
        retention_days INTEGER, parent_id INTEGER, source VARCHAR,
        archived_before TIMESTAMP, UNIQUE (site_id, name))""",
    # No primary key: an ART index would cost more bytes than the reading itself. The writer
    # guarantees one row per (meter_id, ts).
    """CREATE TABLE readings (
        meter_id INTEGER NOT NULL, ts TIMESTAMP NOT NULL, value DOUBLE NOT NULL,
        quality UTINYINT NOT NULL)""",
    f"CREATE TABLE rollup_15min (meter_id INTEGER NOT NULL, bucket TIMESTAMP NOT NULL, "
    f"{ROLLUP_COLUMNS})",
    f"CREATE TABLE rollup_hour (meter_id INTEGER NOT NULL, bucket TIMESTAMP NOT NULL, "
    f"{ROLLUP_COLUMNS})",
    f"CREATE TABLE rollup_day (meter_id INTEGER NOT NULL, bucket DATE NOT NULL, {ROLLUP_COLUMNS})",
    f"CREATE TABLE rollup_month (meter_id INTEGER NOT NULL, bucket DATE NOT NULL, "
    f"{ROLLUP_COLUMNS})",
    # Each meter's latest reading at the last flush of rollups: every closed bucket before it
    # is stored, so recovery replays raw readings after it and nothing else.
    "CREATE TABLE rollup_watermark (meter_id INTEGER PRIMARY KEY, last_ts BIGINT NOT NULL)",
    """CREATE TABLE archives (
        meter_id INTEGER NOT NULL, path VARCHAR NOT NULL, ts_from TIMESTAMP NOT NULL,
        ts_to TIMESTAMP NOT NULL, rows BIGINT NOT NULL, created_at TIMESTAMP NOT NULL)""",
]

# Anomaly events, per-meter detection settings (plain JSON), alert rules, alerts and their
# audit trail.
V2 = [
    """CREATE TABLE anomaly_events (
        id BIGINT PRIMARY KEY, meter_id INTEGER NOT NULL, start_ts TIMESTAMP NOT NULL,
        end_ts TIMESTAMP NOT NULL, kind VARCHAR NOT NULL, severity VARCHAR NOT NULL,
        score DOUBLE NOT NULL, explanation VARCHAR NOT NULL, detector VARCHAR NOT NULL,
        found_at TIMESTAMP NOT NULL, UNIQUE (meter_id, start_ts, kind))""",
    """CREATE TABLE detector_settings (
        meter_id INTEGER PRIMARY KEY, settings VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE alert_rules (
        id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, meter_id INTEGER, site_id INTEGER,
        rule VARCHAR NOT NULL, enabled BOOLEAN NOT NULL DEFAULT TRUE)""",
    """CREATE TABLE alerts (
        id BIGINT PRIMARY KEY, rule_id INTEGER NOT NULL, meter_id INTEGER,
        state VARCHAR NOT NULL, severity VARCHAR NOT NULL, message VARCHAR NOT NULL,
        value DOUBLE, opened_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL,
        snoozed_until TIMESTAMP)""",
    """CREATE TABLE alert_audit (
        alert_id BIGINT NOT NULL, at_ts TIMESTAMP NOT NULL, who VARCHAR NOT NULL,
        action VARCHAR NOT NULL, note VARCHAR NOT NULL DEFAULT '')""",
]

# Version 3: baselines (M&V models as plain JSON parameters, with their training period).
V3 = [
    """CREATE TABLE baselines (
        id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, meter_id INTEGER NOT NULL,
        temperature_meter_id INTEGER, granularity VARCHAR NOT NULL, model VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL, UNIQUE (name))""",
]

# Version 4: the money and carbon side — tariffs (JSON definitions, parsed by analytics), dated
# emission factors and hourly factor series, utility bills for reconciliation.
V4 = [
    """CREATE TABLE tariffs (
        id INTEGER PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, definition VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE carbon_factors (
        name VARCHAR NOT NULL, valid_from DATE NOT NULL, valid_to DATE,
        kg_per_kwh DOUBLE NOT NULL, source VARCHAR NOT NULL, PRIMARY KEY (name, valid_from))""",
    """CREATE TABLE carbon_hourly (
        name VARCHAR NOT NULL, ts BIGINT NOT NULL, kg_per_kwh DOUBLE NOT NULL,
        source VARCHAR NOT NULL, PRIMARY KEY (name, ts))""",
    """CREATE TABLE bills (
        id INTEGER PRIMARY KEY, meter_id INTEGER NOT NULL, start_ts BIGINT NOT NULL,
        end_ts BIGINT NOT NULL, amount DOUBLE, unit VARCHAR NOT NULL, cost DOUBLE,
        currency VARCHAR, source VARCHAR NOT NULL)""",
]

# Version 5: a site you can describe (country and subdivision for its holidays, its own
# closure days), a meter's role and whether it is enabled, and the record of every change made
# to them (who, when, old → new), from which a change can be undone.
V5 = [
    "ALTER TABLE sites ADD COLUMN country VARCHAR",
    "ALTER TABLE sites ADD COLUMN subdivision VARCHAR",
    "ALTER TABLE sites ADD COLUMN closures VARCHAR",
    "ALTER TABLE meters ADD COLUMN role VARCHAR",
    "ALTER TABLE meters ADD COLUMN enabled BOOLEAN",
    """CREATE TABLE changes (
        id BIGINT PRIMARY KEY, at_ts TIMESTAMP NOT NULL, who VARCHAR NOT NULL,
        object VARCHAR NOT NULL, object_id INTEGER NOT NULL, field VARCHAR NOT NULL,
        old_value VARCHAR, new_value VARCHAR, undone BOOLEAN NOT NULL DEFAULT FALSE)""",
]

# Version 6: virtual meters (a meter whose energy is a formula over other meters' rollups) and
# dynamic prices (a tariff's price per interval: day-ahead, Agile).
V6 = ["ALTER TABLE meters ADD COLUMN formula VARCHAR",
      """CREATE TABLE tariff_prices (
          tariff VARCHAR NOT NULL, ts BIGINT NOT NULL, per_kwh DOUBLE NOT NULL,
          step_s INTEGER NOT NULL, PRIMARY KEY (tariff, ts))"""]

# Version 7: an anomaly event keeps the energy it puts at stake (in its meter's unit), so a
# report ranks findings by what they cost, not only by how unusual they are.
V7 = ["ALTER TABLE anomaly_events ADD COLUMN stake DOUBLE"]

# version -> statements that bring a workspace from version-1 to version.
MIGRATIONS: dict[int, list[str]] = {1: V1, 2: V2, 3: V3, 4: V4, 5: V5, 6: V6, 7: V7}
