"""`energize alerts`: the alert list and its workflow, the rules, and where notifications go.

    energize alerts -w W                      open and acknowledged alerts
    energize alerts -w W ack|resolve|reopen ID [--note TEXT] [--who NAME]
    energize alerts -w W snooze ID --minutes 60
    energize alerts -w W audit ID             who did what, and when
    energize alerts -w W rules                the rules (add one with `add-rule`)
    energize alerts -w W add-rule NAME --meter M --kind above --limit 250 [--clear 200 ...]
    energize alerts -w W test-rule NAME --meter M --kind above --limit 250 --period 2025
                                              (the alerts it would have raised: tune, then add)
    energize alerts -w W disable-rule ID | enable-rule ID
    energize alerts -w W notify [--webhook URL] [--smtp HOST:PORT --from A --to B ...] [--test]
"""

from __future__ import annotations

import getpass
import json
import sys

from energize_desktop.cli.common import command, ref
from energize_desktop.storage.metadata import NOTIFICATIONS

ACTIONS = ("list", "ack", "resolve", "reopen", "snooze", "audit", "rules", "add-rule",
           "test-rule",
           "disable-rule", "enable-rule", "notify")
_MOVES = {"ack": "acknowledge", "resolve": "resolve", "reopen": "reopen"}
_DONE = {"ack": "acknowledged", "resolve": "resolved", "reopen": "reopened"}


def add_parsers(sub) -> None:
    p = command(sub, "alerts", run, help="list and handle alerts, their rules and notifications",
                       description=__doc__.split("\n\n", 1)[0])
    p.add_argument("action", nargs="?", default="list", choices=ACTIONS)
    p.add_argument("target", nargs="?", help="alert id, rule id, or the new rule's name")
    p.add_argument("--all", action="store_true", help="list: resolved alerts too")
    p.add_argument("--json", action="store_true", help="list, rules, audit: as JSON")
    p.add_argument("--note", default="", help="why (kept in the audit trail)")
    p.add_argument("--who", default=getpass.getuser(), help="default: your login name")
    p.add_argument("--minutes", type=float, default=60.0, help="snooze for (default 60)")
    rule = p.add_argument_group("add-rule")
    rule.add_argument("--meter", "-m", help="meter name or id")
    rule.add_argument("--site", "-s", help="site name or id (the rule covers its meters)")
    rule.add_argument("--kind", choices=["above", "below", "relative", "rate", "no-data",
                                         "anomaly"])
    rule.add_argument("--limit", type=float, help="threshold: kW (or kWh per interval with "
                      "--measure energy) on an energy meter, else the meter's unit; %% for "
                      "relative, per minute for rate, minutes for no-data, score for anomaly")
    rule.add_argument("--measure", choices=["power", "energy"], default="power",
                      help="on an energy meter: kW over the interval (default) or kWh per "
                      "interval — never a counter's register")
    rule.add_argument("--clear", type=float, help="clears back past this (hysteresis)")
    rule.add_argument("--pending", type=float, default=0.0, metavar="SECONDS",
                      help="the condition must hold this long first")
    rule.add_argument("--severity", choices=["info", "warning", "critical"], default="warning")
    rule.add_argument("--period", help="test-rule: FROM..TO, YYYY-MM or YYYY (site local)")
    out = p.add_argument_group("notify")
    out.add_argument("--webhook", metavar="URL", help="POST each alert as JSON here")
    out.add_argument("--smtp", metavar="HOST:PORT", help="send e-mail through this server")
    out.add_argument("--from", dest="sender", help="e-mail sender address")
    out.add_argument("--to", action="append", help="e-mail recipient (repeatable)")
    out.add_argument("--smtp-user", help="SMTP login; the password is read from the keyring")
    out.add_argument("--password-key", help="keyring entry with the SMTP password")
    out.add_argument("--no-starttls", action="store_true",
                     help="send in clear text (only for a relay on this machine)")
    out.add_argument("--ca-file", help="CA bundle to verify the SMTP server with")
    out.add_argument("--test", action="store_true", help="send a test notification now")


def run(args) -> int:
    from energize_desktop.storage import Workspace
    from energize_desktop.storage.alerts import AlertStore

    read_only = args.action in ("list", "audit", "rules", "test-rule") or (
        args.action == "notify" and not (args.webhook or args.smtp))
    with Workspace.open(args.workspace, read_only=read_only) as ws:
        store = AlertStore(ws)
        handler = {"list": _list, "audit": _audit, "rules": _rules, "add-rule": _add_rule,
                   "notify": _notify, "test-rule": _test_rule}.get(args.action, _move)
        return handler(ws, store, args)


def _need_id(args) -> int:
    from energize_desktop.core.errors import ValidationError

    if not (args.target or "").isdigit():
        raise ValidationError(f"alerts {args.action}: expected an id after it, got "
                              f"{args.target!r}")
    return int(args.target)


def _list(ws, store, args) -> int:
    states = ("open", "acknowledged", "resolved") if args.all else ("open", "acknowledged")
    alerts = store.alerts(states)
    names = {m.id: m.name for m in ws.meters()}
    if args.json:
        json.dump([{**a, "meter": names.get(a["meter_id"]), "opened_at": _iso(a["opened_at"]),
                    "snoozed_until": _iso(a["snoozed_until"])} for a in alerts],
                  sys.stdout, indent=1)
        print()
        return 0
    for a in alerts:
        snoozed = f" (snoozed until {_iso(a['snoozed_until'])})" if store.is_snoozed(a["id"]) \
            else ""
        print(f"#{a['id']:<4} {a['state']:<12} [{a['severity']:<8}] {_iso(a['opened_at'])} "
              f"{names.get(a['meter_id'], '-')}: {a['message']}{snoozed}")
    print(f"{len(alerts)} alert(s)")
    return 0


def _move(ws, store, args) -> int:
    aid = _need_id(args)
    if args.action == "snooze":
        until = store.snooze(aid, args.minutes, args.who, args.note)
        print(f"alert {aid} snoozed until {_iso(until)} UTC")
    elif args.action in _MOVES:
        store.move(aid, _MOVES[args.action], args.who, args.note)
        print(f"alert {aid} {_DONE[args.action]} by {args.who}")
    else:
        store.set_enabled(aid, args.action == "enable-rule")
        print(f"rule {aid} {'enabled' if args.action == 'enable-rule' else 'disabled'}")
    return 0


def _audit(ws, store, args) -> int:
    trail = store.audit(_need_id(args))
    if args.json:
        json.dump([{"at": _iso(t), "who": w, "action": a, "note": n} for t, w, a, n in trail],
                  sys.stdout, indent=1)
        print()
        return 0
    for t, who, action, note in trail:
        print(f"{_iso(t)}  {who:<12} {action:<14} {note}")
    return 0


def _rules(ws, store, args) -> int:
    from energize_desktop.analytics.alert_rules import Rule

    enabled = {rid for rid, _ in store.rules()}
    rules = [Rule.from_json(text, rid) for rid, text in store.rules(enabled_only=False)]
    if args.json:
        json.dump([{"id": r.id, "enabled": r.id in enabled, **json.loads(r.to_json())}
                   for r in rules], sys.stdout, indent=1)
        print()
        return 0
    for r in rules:
        clear = "" if r.clear is None else f", clears at {r.clear:g}"
        where = f"meter {r.meter_id}" if r.meter_id is not None else f"site {r.site_id}"
        print(f"#{r.id:<3} {'on ' if r.id in enabled else 'off'} {r.name}: {r.kind} "
              f"{r.limit:g}{clear}, pending {r.pending_s:g} s, {r.severity}, {where}")
    print(f"{len(rules)} rule(s)")
    return 0


def _add_rule(ws, store, args) -> int:
    from energize_desktop.analytics.alert_rules import Rule
    from energize_desktop.core.errors import ValidationError

    if not args.target or args.kind is None or args.limit is None:
        raise ValidationError("alerts add-rule: needs a NAME, --kind and --limit")
    meter_id = ws.meter(ref(args.meter)).id if args.meter else None
    site_id = ws.site(ref(args.site)).id if args.site and not args.meter else None
    rule = Rule(args.target, args.kind, args.limit, args.clear, args.pending, args.severity,
                meter_id, site_id, measure=args.measure)
    rid = store.add_rule(rule.name, rule.to_json(), meter_id, site_id)
    print(f"rule {rid} added: {rule.name}")
    return 0


def _test_rule(ws, store, args) -> int:
    from energize_desktop.analytics.alert_rules import Rule
    from energize_desktop.core.errors import ValidationError
    from energize_desktop.core.instants import iso_local
    from energize_desktop.core.periods import period
    from energize_desktop.jobs.rule_history import try_rule

    if args.kind is None or args.limit is None or not args.meter or not args.period:
        raise ValidationError("alerts test-rule: needs --meter, --kind, --limit and --period",
                              field="period" if args.kind and args.meter else "kind")
    meter = ws.meter(ref(args.meter))
    rule = Rule(args.target or "test", args.kind, args.limit, args.clear, args.pending,
                args.severity, meter.id, None, measure=args.measure)
    tz = ws.site_of(meter).timezone
    start, end = period(args.period, tz)
    found = try_rule(ws, rule, meter, start, end)
    print(f"{rule.name} on {meter.name}, {args.period}: would have raised {len(found)} "
          f"alert(s)")
    for w in found:
        until = iso_local(w.end_us, tz) if w.end_us is not None else "still raised"
        print(f"  {iso_local(w.start_us, tz)} → {until}   worst {w.worst:,.1f} {w.unit}")
    return 0


def _notify(ws, store, args) -> int:
    from energize_desktop.live.notify import (
        Email,
        Webhook,
        channels_from_json,
        channels_to_json,
    )

    hook, mail = channels_from_json(NOTIFICATIONS.get(ws), f"{ws.path} notifications")
    if args.webhook:
        hook = Webhook(args.webhook)
    if args.smtp:
        mail = _email(args, Email)
    if args.webhook or args.smtp:
        NOTIFICATIONS.set(ws, channels_to_json(hook, mail))
    print(f"webhook: {hook.url if hook else 'none'}")
    print(f"e-mail: {f'{mail.host}:{mail.port} to ' + ', '.join(mail.to) if mail else 'none'}"
          + ("" if not mail or mail.starttls else " (no STARTTLS)"))
    if args.test:
        test = {"id": 0, "rule": "test", "meter": None, "severity": "info",
                "message": "a test notification from Energize", "value": None}
        if hook:
            hook.send({"source": "energize", **test})
        if mail:
            mail.send("[info] Energize test notification", test["message"])
        print("test notification sent")
    return 0


def _email(args, Email):
    from energize_desktop.core.errors import ValidationError

    host, _, port = args.smtp.rpartition(":")
    if not host or not port.isdigit() or not args.sender or not args.to:
        raise ValidationError("--smtp: expected HOST:PORT with --from and at least one --to")
    return Email(host, int(port), args.sender, tuple(args.to), args.smtp_user,
                 args.password_key or (f"smtp:{args.smtp_user}@{host}" if args.smtp_user
                                       else None),
                 starttls=not args.no_starttls, ca_file=args.ca_file)


def _iso(value) -> str:
    return value.isoformat(sep=" ", timespec="seconds") if value is not None else "-"
