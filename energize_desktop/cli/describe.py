"""`energize site` and `energize meter`: describe a site and its meters after import, every
change recorded (who, when, old → new) and reversible.

    energize site set -w W SITE [--name N] [--floor-area M2] [--type office] [--country GB
        --subdivision ENG] [--zone Europe/London] [--address TEXT] [--closures 2025-12-24,...]
    energize meter set -w W METER [--name N] [--fuel gas] [--role import|export|generation|
        consumption|sub|other|auto] [--parent METER|none] [--calorific 11.2] [--rollover V]
        [--retention-days N] [--enabled yes|no] [--formula F]
    energize meter add-virtual -w W NAME --formula "Main incomer + Rooftop PV - Grid export"
    energize site|meter history -w W [NAME]       energize site|meter undo -w W [NAME]
"""

from __future__ import annotations

import getpass

ACTIONS = ("set", "history", "undo")


def _group(sub, name: str, func, help: str):
    """`energize NAME set|history|undo -w W [TARGET] …`: the target may follow the options."""
    from energize_desktop.cli.common import WORKSPACE

    parser = sub.add_parser(name, help=help)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    made = {}
    for action in ACTIONS:
        a = actions.add_parser(action, parents=[WORKSPACE])
        a.add_argument("target", nargs="?", help=f"{name} name or id")
        a.add_argument("--who", default=getpass.getuser(), help="default: your login name")
        a.set_defaults(func=func, command=name)
        made[action] = a
    made["_actions"] = actions
    return made


def add_parsers(sub) -> None:
    s = _group(sub, "site", site_cmd, "describe a site: name, floor area, type, country and "
               "holidays, time zone, closure days (recorded, reversible)")["set"]
    s.add_argument("--name")
    s.add_argument("--floor-area", dest="floor_area_m2", type=float, metavar="M2")
    s.add_argument("--type", dest="building_type", metavar="TYPE",
                   help="office, school, retail, hotel, hospital, warehouse, residential, …")
    s.add_argument("--country", help="ISO 3166 code (GB): public holidays, benchmarks")
    s.add_argument("--subdivision", help="e.g. ENG for England's bank holidays")
    s.add_argument("--zone", dest="timezone", metavar="IANA",
                   help="time zone: readings stay in UTC, local figures follow")
    s.add_argument("--address")
    s.add_argument("--closures", metavar="DATES",
                   help="the site's own closure days, comma-separated ISO dates ('' clears)")

    made = _group(sub, "meter", meter_cmd, "describe a meter: fuel, role, parent, calorific "
                  "value, rollover, retention, enabled (recorded, reversible); add a virtual "
                  "meter")
    from energize_desktop.cli.common import WORKSPACE

    v = made["_actions"].add_parser(
        "add-virtual", parents=[WORKSPACE],
        help='a meter computed from others: --formula "Main incomer + Rooftop PV - Grid export"')
    v.add_argument("name", help="the virtual meter's name")
    v.add_argument("--formula", required=True,
                   help="meters of one site and unit joined by ' + ' and ' - ', a term may be "
                        "scaled (0.5 * AHU) or quoted (\"AHU-1\")")
    v.add_argument("--site", help="the site (needed when the workspace has several)")
    v.set_defaults(func=add_virtual_cmd, command="meter")
    m = made["set"]
    m.add_argument("--formula", help="a virtual meter's new formula")
    m.add_argument("--name")
    m.add_argument("--fuel", help="electricity, gas, heat, oil or water")
    m.add_argument("--role", help="import, export, generation, consumption, sub, other, auto")
    m.add_argument("--parent", metavar="METER", help="the meter it is inside ('none' clears)")
    m.add_argument("--calorific", dest="calorific_kwh_per_m3", type=float,
                   metavar="KWH_PER_M3", help="gas by volume: kWh per m³")
    m.add_argument("--rollover", type=float, help="the value the register wraps at")
    m.add_argument("--retention-days", type=int, metavar="N",
                   help="raw readings older than this may be archived")
    m.add_argument("--enabled", choices=["yes", "no"])


def site_cmd(args) -> int:
    from energize_desktop.jobs import describe

    values = {k: getattr(args, k, None) for k in ("name", "floor_area_m2", "building_type",
                                                  "country", "subdivision", "timezone",
                                                  "address")}
    if getattr(args, "closures", None) is not None:
        values["closures"] = [d for d in args.closures.split(",") if d.strip()]
    return _run(args, "site", lambda ws: describe.set_site(ws, args.target, values, args.who))


def meter_cmd(args) -> int:
    from energize_desktop.jobs import describe

    values = {k: getattr(args, k, None) for k in ("name", "fuel", "role", "parent",
                                                  "calorific_kwh_per_m3", "rollover",
                                                  "retention_days", "formula")}
    if getattr(args, "enabled", None) is not None:
        values["enabled"] = args.enabled == "yes"
    if args.action == "set" and not args.target:
        from energize_desktop.core.errors import ValidationError

        raise ValidationError("name the meter to describe", field="target")
    return _run(args, "meter", lambda ws: describe.set_meter(ws, args.target, values, args.who))


def add_virtual_cmd(args) -> int:
    from energize_desktop.jobs.virtual import add_virtual, formula_text
    from energize_desktop.storage import Workspace

    with Workspace.open(args.workspace) as ws:
        meter = add_virtual(ws, args.name, args.formula, args.site)
        print(f"virtual meter {meter.name} (id {meter.id}, {meter.amount_unit}) = "
              f"{formula_text(ws, meter)}")
    return 0


def _run(args, kind: str, setter) -> int:
    from energize_desktop.core.model import ref
    from energize_desktop.jobs import describe
    from energize_desktop.storage import Workspace
    from energize_desktop.storage.changes import history

    with Workspace.open(args.workspace, read_only=args.action == "history") as ws:
        if args.action == "set":
            obj, done = setter(ws)
            for c in done:
                print(f"{kind} {obj.name}: {c.field} {_shown(c.old)} → {_shown(c.new)}")
            if not done:
                print(f"{kind} {obj.name}: nothing changed")
        elif args.action == "undo":
            for c in describe.undo(ws, args.who, kind if args.target else None, args.target):
                print(f"undone: {c.object} {c.object_id} {c.field} back to {_shown(c.old)}")
        else:
            obj = None
            if args.target:
                obj = ws.site(ref(args.target)) if kind == "site" else ws.meter(ref(args.target))
            for c in history(ws, kind, obj.id if obj else None) if obj else history(ws):
                print(f"{c.at:%Y-%m-%d %H:%M} {c.who}: {c.object} {c.object_id} {c.field} "
                      f"{_shown(c.old)} → {_shown(c.new)}")
    return 0


def _shown(value) -> str:
    return "(none)" if value in (None, "", [], ()) else str(value)
