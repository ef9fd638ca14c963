"""Every key of a workspace's `meta` table, declared once: its name, type, default, the module
that owns it and what it holds (as picard declares its options). `Workspace.set_meta` refuses a
key that is not declared here, so a new one cannot appear as a string literal somewhere else.

A family (`prefix=True`) is one key per something: per import profile, per sync server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from energize_desktop.core.errors import ValidationError


@dataclass(frozen=True)
class Key:
    name: str  # the key, or the prefix of a family (ending in ':')
    kind: str  # "text", "int" or "json"
    default: object
    owner: str  # the module that reads and writes it
    doc: str
    prefix: bool = False
    managed: bool = False  # written by the workspace itself, never through set_meta

    def full(self, suffix: str = "") -> str:
        if self.prefix != bool(suffix):
            raise ValueError(f"meta key {self.name!r}: {'a suffix is' if self.prefix else 'no suffix'}"
                             " expected")
        return self.name + suffix

    def get(self, ws, suffix: str = ""):
        text = ws.get_meta(self.full(suffix))
        if text is None:
            return self.default() if callable(self.default) else self.default
        if self.kind == "json":
            return json.loads(text)
        return int(text) if self.kind == "int" else text

    def set(self, ws, value, suffix: str = "") -> None:
        text = json.dumps(value) if self.kind == "json" else str(value)
        ws.set_meta(self.full(suffix), text)

    def suffixes(self, ws) -> list[str]:
        """The members of a family kept in this workspace."""
        return [k[len(self.name):] for k in ws.meta_keys() if k.startswith(self.name)]


APP = Key("app", "text", None, "storage.workspace", "marks the file as an Energize workspace",
          managed=True)
SCHEMA_VERSION = Key("schema_version", "int", 0, "storage.workspace",
                     "the schema the file is at (migrations run from it)", managed=True)
DEFAULT_TARIFF = Key("default_tariff", "text", None, "jobs.ledger",
                     "the tariff that prices energy when none is named")
DEFAULT_TARIFFS = Key("default_tariffs", "json", dict, "jobs.ledger",
                      "fuel → the tariff that prices that fuel's meters when none is named")
CONNECTIONS = Key("connections", "text", None, "live.session",
                  "the Modbus buses and MQTT brokers, as the TOML of a connection file")
NOTIFICATIONS = Key("notifications", "text", None, "live.notify",
                    "where alert notifications go (webhook, e-mail) as JSON, without secrets")
FLEXIBLE_METERS = Key("flexible_meters", "json", dict, "cli.plan",
                      "meter id → the windows and kW limit of a load that may be shifted")
IMPORT_PROFILE = Key("import_profile:", "json", None, "jobs.import_profiles",
                     "a saved CSV layout, by profile name", prefix=True)
SYNC_DSN = Key("sync_dsn", "text", None, "sync.session",
               "the shared server's connection string, without its password")
SYNC_LAST = Key("sync_last", "text", None, "sync.push", "when the last sync finished (UTC)")
SYNC_LAST_AT = Key("sync_last:", "text", None, "sync.push",
                   "when the last sync with this server finished", prefix=True)
SYNC_WATERMARK = Key("sync_watermark:", "json", dict, "sync.push",
                     "per server: meter UUID → the last reading (µs) the server committed",
                     prefix=True)
SYNC_ROLLUPS = Key("sync_rollups:", "json", dict, "sync.rollups",
                   "per server: the last rollup bucket sent per meter and level", prefix=True)
DETECTION_RUN = Key("detection_run:", "json", dict, "jobs.detection",
                    "per meter uid: the last detection run (when, product version, settings, "
                    "constants, alarms and findings)", prefix=True)
SITE_FUELS = Key("site_fuels:", "json", list, "jobs.overview",
                 "the fuels a site uses, as the new-workspace wizard was told (per site id): "
                 "one without a tariff is named before any of its data arrives", prefix=True)
DEMO_INJECTED = Key("demo_injected", "json", list, "demo.build",
                    "the anomalies the demo generator planted (ground truth for detectors)")
DEMO_TRUTH = Key("demo_truth", "json", dict, "demo.build",
                 "the demo's ground truth per local month: import, PV, export, consumption, gas")
DEMO_VERSION = Key("demo_version", "int", 1, "demo.build",
                   "which demo generator wrote it (an older demo is rebuilt, the old kept aside)")
DEMO_SEED = Key("demo_seed", "int", None, "demo.build", "the seed the demo was built with")

KEYS = (APP, SCHEMA_VERSION, DEFAULT_TARIFF, DEFAULT_TARIFFS, CONNECTIONS, NOTIFICATIONS, FLEXIBLE_METERS, SITE_FUELS,
        IMPORT_PROFILE, DETECTION_RUN, SYNC_DSN, SYNC_LAST, SYNC_LAST_AT, SYNC_WATERMARK, SYNC_ROLLUPS,
        DEMO_INJECTED, DEMO_TRUTH, DEMO_VERSION, DEMO_SEED)


def declared(key: str) -> Key:
    """The declaration of a key about to be written; refuses undeclared and managed keys."""
    for k in KEYS:
        if key == k.name and not k.prefix or k.prefix and key.startswith(k.name) \
                and len(key) > len(k.name):
            if k.managed:
                raise ValidationError(f"meta key {key!r} is managed by Energize")
            return k
    raise ValidationError(f"meta key {key!r} is not declared in storage/metadata.py")
