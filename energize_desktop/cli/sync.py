"""`energize server` (operator) and `energize sync` (each laptop).

    energize server init --dsn postgresql://operator@db.example/energize
    energize server add-laptop --dsn … --org acme --role acme_laptop1 [--read-only]
        (the new role's password from ENERGIZE_NEW_PASSWORD, or asked for)
    energize sync -w W --dsn postgresql://acme_laptop1@db.example/energize?sslmode=verify-full
        [--password-key pg:acme_laptop1] [--once | --every MINUTES] [--full]
"""

from __future__ import annotations

import os
import sys
import time

from energize_desktop.cli.common import command
from energize_desktop.core.errors import ValidationError
from energize_desktop.sync.credentials import password


def add_parsers(sub) -> None:
    s = command(sub, "server", server_cmd, workspace=False, help="set up the shared PostgreSQL/TimescaleDB server")
    s.add_argument("action", choices=["init", "add-laptop"])
    s.add_argument("--dsn", required=True, help="libpq connection string or URL")
    s.add_argument("--org", help="organisation of the laptop or dashboard role")
    s.add_argument("--role", help="the laptop's (or dashboard's) login role")
    s.add_argument("--read-only", action="store_true", help="a dashboard role: reads only")
    s.add_argument("--password-key", help="keyring entry holding the operator's password")

    y = command(sub, "sync", sync_cmd, help="push this workspace to the shared server")
    y.add_argument("--dsn", help="default: the one kept from the last sync")
    y.add_argument("--password-key", help="keyring entry of the password (default "
                   "pg:USER@HOST)")
    y.add_argument("--once", action="store_true", help="one sync, then exit (the default)")
    y.add_argument("--every", type=float, metavar="MINUTES", help="sync on this schedule")
    y.add_argument("--full", action="store_true",
                   help="re-send every reading (idempotent: the server keeps one of each)")
    y.add_argument("--share", action="store_true",
                   help="upload this workspace's tariffs and emission factors for the team")
    y.add_argument("--keep-local", action="store_true",
                   help="on a conflicting tariff or factor set, keep the local one")


def server_cmd(args) -> int:
    from energize_desktop.sync import server

    conn = server.connect(args.dsn, password(args.dsn, args.password_key, required=False))
    with conn:
        if args.action == "init":
            for line in server.init(conn):
                print(line)
            return 0
        if not (args.org and args.role):
            raise ValidationError("server add-laptop: needs --org and --role")
        new = os.environ.get("ENERGIZE_NEW_PASSWORD") or _ask(f"password for {args.role}")
        server.add_laptop(conn, args.role, args.org, new, args.read_only)
        print(f"role {args.role} can {'read' if args.read_only else 'read and write'} the "
              f"rows of organisation {args.org!r}; keep its password in that laptop's keyring")
    return 0


def sync_cmd(args) -> int:
    from energize_desktop.storage import Workspace
    from energize_desktop.sync.session import sync_once

    with Workspace.open(args.workspace) as ws:
        if not args.every:
            outcome = sync_once(ws, args.dsn, args.password_key, args.full, args.share,
                                args.keep_local, _progress)
            print("\n".join(outcome.lines()))
            return 0
        return _on_schedule(ws, args)


wait = time.sleep  # between scheduled rounds (a test replaces it)


def _on_schedule(ws, args) -> int:
    """Sync every N minutes until interrupted. A failed sync (server down, laptop offline) is
    reported and tried again next time; the watermarks make the next one catch up."""
    from energize_desktop.core.errors import EnergizeError
    from energize_desktop.sync.session import sync_once

    dsn = args.dsn
    try:
        while True:
            try:
                outcome = sync_once(ws, dsn, args.password_key, args.full, args.share,
                                    args.keep_local, _progress)
                print("\n".join(outcome.lines()), flush=True)
                dsn = None  # kept in the workspace by the first attempt
            except EnergizeError as exc:
                print(f"sync failed: {exc}; next try in {args.every:g} min", file=sys.stderr,
                      flush=True)
            wait(args.every * 60)  # the schedule itself, not a wait for a result
    except KeyboardInterrupt:
        print("scheduled sync stopped", file=sys.stderr)
        return 0


def _ask(what: str) -> str:
    import getpass

    if not sys.stdin.isatty():
        raise ValidationError(f"{what}: set ENERGIZE_NEW_PASSWORD or run in a terminal")
    return getpass.getpass(f"{what}: ")


def _progress(done: int, total: int, what: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{done}/{total} {what[:50]:<50}", end="" if done < total else "\n",
              file=sys.stderr, flush=True)
