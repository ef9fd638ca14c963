"""One sync as the CLI and the window both run it: the kept or given DSN (its password moved to
the keyring), push, optional sharing of definitions, pull of the organisation's."""

from __future__ import annotations

from dataclasses import dataclass

from energize_desktop.core.errors import ValidationError
from energize_desktop.jobs.base import Job
from energize_desktop.storage.api import WorkspaceAPI
from energize_desktop.storage.metadata import SYNC_DSN


@dataclass
class SyncOutcome:
    push: object  # sync.push.PushResult
    pull: object  # sync.definitions.PullResult
    shared: int | None  # definitions uploaded, None when not asked

    def lines(self) -> list[str]:
        r = self.push
        out = [f"synced: {r.sites} site(s), {r.meters} meter(s), {r.readings_sent:,} readings "
               f"sent, {r.readings_new:,} new on the server, {r.batches} batch(es), "
               f"{r.rollups:,} hourly/daily rollups, "
               f"{r.anomalies} anomalies, {r.alerts} alerts in {r.seconds:.2f} s"]
        if self.shared is not None:
            out.append(f"shared {self.shared} definition(s)")
        out += [f"pulled {d}" for d in self.pull.added]
        out += [f"conflict: {c}" for c in self.pull.conflicts]
        return out


def sync_once(ws: WorkspaceAPI, dsn: str | None = None, password_key: str | None = None, full: bool = False,
              share: bool = False, keep_local: bool = False, progress=None) -> SyncOutcome:
    from energize_desktop.sync import catalog, definitions, server
    from energize_desktop.sync.credentials import (
        keep_password_in_keyring,
        password,
        trust,
        trusted,
    )
    from energize_desktop.sync.push import organisation, push

    given = dsn
    dsn = dsn or SYNC_DSN.get(ws)
    if not dsn:
        raise ValidationError("give the server's connection string the first time (it is "
                              "kept, without its password, for the next syncs)", field="dsn")
    dsn, key = keep_password_in_keyring(dsn, password_key)
    if given:
        trust(dsn)  # typed on this computer
    elif not trusted(dsn):
        raise ValidationError(f"this workspace's server {dsn!r} was not set on this computer "
                              "(the workspace came from elsewhere); give it again to confirm "
                              "it before the first sync — no password is sent until then",
                              field="dsn")
    SYNC_DSN.set(ws, dsn)
    with server.connect(dsn, password(dsn, key, required=False)) as conn:
        server.check_version(conn)
        pulled = definitions.PullResult()
        catalog.pull(ws, conn, pulled, keep_local)  # first: readings go under shared UUIDs
        pushed = push(ws, conn, progress, full=full)
        shared = definitions.share(ws, conn, organisation(conn)) if share else None
        definitions.pull(ws, conn, keep_local=keep_local, result=pulled)
    return SyncOutcome(pushed, pulled, shared)


class SyncJob(Job):
    """One sync (see sync_once) as a job: the window's Sync now and its schedule."""

    title = "Sync"

    def __init__(self, ws: WorkspaceAPI, dsn: str | None = None, **options):
        self.ws, self.dsn, self.options = ws, dsn, options

    def run(self, progress=None, cancelled=None) -> SyncOutcome:
        return sync_once(self.ws, self.dsn, progress=progress, **self.options)
