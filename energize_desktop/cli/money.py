"""`energize tariff`, `energize cost`, `energize carbon`, `energize bills`.

    energize tariff -w W add tariff.json | list | show NAME | remove NAME | default NAME
    energize cost -w W [-m M | -s S] --period 2025 [--tariff T] [--as-if T2 ...] [--export-meter PV]
    energize carbon -w W add-factor --set electricity --from 2025-01-01 [--to 2026-01-01] \\
        --kg 0.177 --source "DESNZ 2025, UK electricity"      |  import-hourly --set S FILE.csv
    energize carbon -w W report [-m M | -s S] --period 2025
    energize bills -w W import FILE.csv|FILE.xml -m M   |   energize bills -w W reconcile -m M
"""

from __future__ import annotations

from pathlib import Path

from energize_desktop.cli.common import command, dump, ref
from energize_desktop.cli.tariffs import tariff_cmd  # registered by add_parsers below
from energize_desktop.core.errors import ValidationError
from energize_desktop.core.instants import local_date
from energize_desktop.core.periods import period
from energize_desktop.imports.hourly_csv import read_hourly_csv
from energize_desktop.jobs import energy as sup
from energize_desktop.jobs import ledger


def add_parsers(sub) -> None:
    t = command(sub, "tariff", tariff_cmd, help="keep tariffs (JSON) in the workspace")
    t.add_argument("action", choices=["add", "list", "show", "remove", "default", "add-prices"])
    t.add_argument("target", nargs="?", help="JSON file (add) or tariff name")
    t.add_argument("file", nargs="?", type=Path,
                   help="add-prices: CSV timestamp,price_per_kwh at 15/30/60 min (UTC offsets)")

    c = command(sub, "cost", cost_cmd, help="cost breakdown on a tariff; what a period would have cost "
                       "on others")
    _subject(c)
    c.add_argument("--tariff", help="tariff name (default: the workspace's default or only one)")
    c.add_argument("--as-if", action="append", default=[], metavar="TARIFF",
                   help="also price the period on this tariff's latest terms (repeatable)")
    c.add_argument("--export-meter", help="meter of exported energy (PV export), credited")
    c.add_argument("--compare", metavar="T1,T2,...",
                   help="a table of what the period would have cost on each tariff (each on "
                        "its own fuel, on its latest terms)")

    k = command(sub, "carbon", carbon_cmd, help="dated emission factors and kg CO2e per period")
    k.add_argument("action", choices=["add-factor", "import-hourly", "list", "report"])
    k.add_argument("file", nargs="?", type=Path, help="CSV timestamp,kg_per_kwh (import-hourly)")
    k.add_argument("--set", dest="factor_set", default=None,
                   help="factor set (default: the meter's kind, e.g. electricity, gas)")
    k.add_argument("--from", dest="valid_from")
    k.add_argument("--to", dest="valid_to")
    k.add_argument("--kg", type=float, help="kg CO2e per kWh")
    k.add_argument("--source", help="publisher, table and year of the factor")
    k.add_argument("--meter", "-m")
    k.add_argument("--site", "-s")
    k.add_argument("--period")
    k.add_argument("--json", action="store_true")

    b = command(sub, "bills", bills_cmd, help="import utility bills and reconcile them with the meter")
    b.add_argument("action", choices=["import", "reconcile"])
    b.add_argument("file", nargs="?", type=Path, help="bill CSV or Green Button XML (import)")
    b.add_argument("--meter", "-m", required=True)
    b.add_argument("--tolerance", type=float, default=2.0, help="agreement band in %% (2)")
    b.add_argument("--json", action="store_true")


def _subject(p) -> None:
    p.add_argument("--meter", "-m", help="meter (default: the site's electricity total)")
    p.add_argument("--site", "-s")
    p.add_argument("--period", required=True, help="FROM..TO, YYYY-MM or YYYY (site local)")
    p.add_argument("--json", action="store_true")


def _energy(ws, args, start_end=None):
    """(site, Energy, (start, end)) of --meter, or of the site's electricity."""
    from energize_desktop.core.model import MeterKind

    if args.meter:
        meter = ws.meter(ref(args.meter))
        site = ws.site_of(meter)
    else:
        site, meter = ws.site(ref(args.site) if args.site else None), None
    start, end = start_end or period(args.period, site.timezone)
    energy = sup.meter_energy(ws, meter, start, end) if meter else \
        sup.site_energy(ws, site, start, end, kinds=(MeterKind.ELECTRICITY,))
    return site, energy, (start, end)


# -- cost ---------------------------------------------------------------------------------------
def cost_cmd(args) -> int:
    from energize_desktop.storage import Workspace

    with Workspace.open(args.workspace, read_only=True) as ws:
        if not args.meter:
            return _site_cost(ws, args)
        site, e, (start, end) = _energy(ws, args)
        export = None
        if args.export_meter:
            x = sup.meter_energy(ws, ws.meter(ref(args.export_meter)), start, end, e.step_s)
            export = sup.align(x, e)
        priced, why = ledger.cost_or_note(ws, e, args.tariff)
        if priced is None:
            raise ValidationError(f"{e.name}: {why}", field="meter")
        if export is not None:
            priced = ledger.cost_of(ws, e, args.tariff, export)
        results = [priced]
        results += [ledger.cost_of(ws, e, name, export, as_if=True) for name in args.as_if]
    out = [r.to_dict() for r in results]
    if args.json:
        print(dump({"name": e.name, "period": args.period, "results": out}))
        return 0
    print(f"{e.name}, {args.period}")
    for i, r in enumerate(out):
        print("\n".join(_cost_lines(r, as_if=i > 0)))
    if len(out) > 1:
        base = out[0]["total"]
        for r in out[1:]:
            print(f"on {r['tariff']}: {r['currency']} {r['total'] - base:+,.0f} against "
                  f"{out[0]['tariff']} ({(r['total'] - base) / base * 100:+.1f} %)")
    return 0


def _site_cost(ws, args) -> int:
    """A site: each fuel it buys on that fuel's tariff, its export credited (the ledger)."""
    site = ws.site(ref(args.site) if args.site else None)
    start, end = period(args.period, site.timezone)
    chosen = {ledger.load_tariff(ws, args.tariff).fuel: args.tariff} if args.tariff else None
    book = ledger.site_ledger(ws, site, start, end, chosen)
    out = [{"fuel": f, **line.cost.to_dict()} if line.cost else {"fuel": f, "note": line.cost_note}
           for f, line in book.fuels.items() if line.imported is not None]
    as_if = [_as_if(ws, book, name) for name in args.as_if]
    compare = _compare(ws, book, out, args.compare) if args.compare else None
    if args.json:
        print(dump({"name": site.name, "period": args.period, "results": out,
                    "as_if": as_if, "totals": book.costs(),
                    **({"compare": compare} if compare is not None else {})}))
        return 0
    if compare is not None:
        print(_compare_table(site.name, args.period, compare))
        return 0
    print(f"{site.name}, {args.period}")
    for r in out:
        if "note" in r:
            print(f"  {r['fuel']}: {r['note']}")
        else:
            print("\n".join(_cost_lines(r, as_if=False)))
    print("  total: " + ", ".join(f"{c} {v:,.2f}" for c, v in book.costs().items()))
    for r in as_if:
        print("\n".join(_cost_lines(r, as_if=True)))
    return 0


def _compare(ws, book, current: list[dict], names_text: str) -> list[dict]:
    """Each tariff named on its own fuel's import, on its latest terms, with the difference
    against what that fuel costs now (same period, same energy, same export)."""
    names = [n.strip() for n in names_text.split(",") if n.strip()]
    if not names:
        raise ValidationError("name tariffs separated by commas", field="compare")
    now = {r["fuel"]: r for r in current if "total" in r}
    rows = []
    for name in names:
        r = _as_if(ws, book, name)
        base = now.get(r["fuel"])
        rows.append({**r, "current_tariff": base["tariff"] if base else None,
                     "difference": r["total"] - base["total"] if base else None})
    return rows


def _compare_table(site: str, period_text: str, rows: list[dict]) -> str:
    head = (f"{'tariff':<26} {'fuel':<12} {'kWh':>10} {'energy':>11} {'demand':>9} "
            f"{'fixed':>8} {'export':>9} {'total':>11} {'vs now':>10}")
    lines = [f"{site}, {period_text}: each tariff on its latest terms, on the same energy", head]
    for r in rows:
        energy = sum(b["cost"] for b in r["bands"].values())
        demand = sum(d["cost"] for d in r["demand"])
        diff = "" if r["difference"] is None else f"{r['difference']:+,.0f}"
        lines.append(f"{r['tariff'][:26]:<26} {r['fuel']:<12} {r['kwh']:>10,.0f} "
                     f"{energy:>11,.2f} {demand:>9,.2f} {r['fixed']:>8,.2f} "
                     f"{-r['export_credit']:>9,.2f} {r['total']:>11,.2f} {diff:>10}")
    currencies = sorted({r["currency"] for r in rows})
    lines.append(f"in {', '.join(currencies)}; 'vs now' against the fuel's tariff in force")
    return "\n".join(lines)


def _as_if(ws, book, name: str) -> dict:
    """What the site's import of the tariff's own fuel would have cost on its latest terms."""
    t = ledger.load_tariff(ws, name)
    line = book.fuels.get(t.fuel)
    if line is None or line.imported is None:
        raise ValidationError(f"tariff {name!r} prices {t.fuel}; the site buys none",
                              field="as_if")
    export = ledger.align_to(line.exported, line.imported)
    return {"fuel": t.fuel, **ledger.cost_on(line.imported, t, export, as_if=True).to_dict()}


def _cost_lines(r: dict, as_if: bool) -> list[str]:
    cur = r["currency"]
    lines = [f"  {r['tariff']}{' (its latest terms, as if in force)' if as_if else ''}: "
             f"{cur} {r['total']:,.2f} for {r['kwh']:,.0f} kWh "
             f"({r['average_per_kwh'] * 100:.1f} {cur}-cents/kWh on average)"]
    for name, b in r["bands"].items():
        lines.append(f"    {name:<12} {b['kwh']:>12,.0f} kWh  {cur} {b['cost']:>12,.2f}")
    demand = sum(d["cost"] for d in r["demand"])
    if r["demand"]:
        peak = max(r["demand"], key=lambda d: d["kw"])
        lines.append(f"    {'demand':<12} {cur} {demand:,.2f} (highest {peak['kw']:,.1f} kW in "
                     f"{peak['month']})")
    lines.append(f"    {'fixed':<12} {cur} {r['fixed']:,.2f}")
    if r["export_kwh"]:
        lines.append(f"    {'export':<12} {r['export_kwh']:>12,.0f} kWh  {cur} "
                     f"{-r['export_credit']:>12,.2f}")
    if r["missing_steps"]:
        lines.append(f"    {r['missing_steps']} of {r['steps']} steps have no data and are not "
                     "priced")
    lines += [f"    note: {n}" for n in r["notes"]]
    return lines


# -- carbon -------------------------------------------------------------------------------------
def carbon_cmd(args) -> int:
    from energize_desktop.storage import Workspace

    with Workspace.open(args.workspace, read_only=args.action in ("list", "report")) as ws:
        return {"add-factor": _add_factor, "import-hourly": _import_hourly, "list": _list_sets,
                "report": _report}[args.action](ws, args)


def _add_factor(ws, args) -> int:
    from energize_desktop.jobs.terms import keep_factors
    from energize_desktop.storage.energy_terms import CarbonStore

    if not args.valid_from or args.kg is None:
        raise ValidationError("carbon add-factor: needs --from DATE, --kg and --source")
    name = args.factor_set or "electricity"
    store = CarbonStore(ws)
    rows = [r for r in store.factors(name) if r["valid_from"] != args.valid_from]
    rows.append({"valid_from": args.valid_from, "valid_to": args.valid_to,
                 "kg_per_kwh": args.kg, "source": args.source or ""})
    factors = keep_factors(ws, name, rows)
    print(f"set {name!r}: {len(factors)} dated factor(s)")
    return 0


def _import_hourly(ws, args) -> int:
    from energize_desktop.storage.energy_terms import CarbonStore

    if not args.file or not args.source:
        raise ValidationError("carbon import-hourly: needs a CSV file and --source")
    ts, kg = read_hourly_csv(args.file)
    CarbonStore(ws).save_hourly(args.factor_set or "electricity", ts, kg, args.source)
    print(f"kept {len(ts):,} hourly factors in set {args.factor_set or 'electricity'!r}")
    return 0


def _list_sets(ws, args) -> int:
    from energize_desktop.storage.energy_terms import CarbonStore

    store = CarbonStore(ws)
    for name in store.names():
        print(name)
        for f in store.factors(name):
            print(f"  {f['valid_from']}..{f['valid_to'] or ''}  {f['kg_per_kwh']:.5f} kg/kWh  "
                  f"{f['source']}")
        hourly = store.hourly(name)
        if hourly:
            print(f"  hourly series: {len(hourly[0]):,} hours ({hourly[2]})")
    return 0


def _report(ws, args) -> int:

    if not args.period:
        raise ValidationError("carbon report: needs --period")
    if not args.meter and not args.factor_set:
        return _site_carbon(ws, args)
    site, e, _ = _energy(ws, args)
    name = args.factor_set or ledger.fuel_of(e)
    carbon = ledger.carbon_of(ws, e, name)
    if carbon is None:
        raise ValidationError(f"{ledger.no_factors(name)}; add one with energize carbon "
                              "add-factor")
    r = carbon.to_dict()
    if args.json:
        print(dump({"name": e.name, "set": name, **r}))
        return 0
    print(f"{e.name}, {args.period}: {r['kg'] / 1000:,.3f} t CO2e from {r['kwh']:,.0f} kWh "
          f"({r['kg_per_kwh']:.4f} kg/kWh, location-based)")
    for month, m in r["months"].items():
        print(f"  {month}  {m['kg']:>10,.0f} kg CO2e  {m['kwh']:>10,.0f} kWh")
    print("  sources: " + "; ".join(r["sources"]))
    for n in r["notes"]:
        print(f"  note: {n}")
    return 0


def _site_carbon(ws, args) -> int:
    """A site's carbon over every fuel with factors (the ledger); fuels without are named."""
    site = ws.site(ref(args.site) if args.site else None)
    start, end = period(args.period, site.timezone)
    book = ledger.site_ledger(ws, site, start, end)
    fuels = {f: line.carbon.to_dict() if line.carbon else {"note": line.carbon_note}
             for f, line in book.fuels.items() if line.imported is not None}
    if book.carbon_kg is None:
        raise ValidationError(f"site {site.name}: {ledger.no_factors('any fuel')}; add them with "
                              "energize carbon add-factor")
    if args.json:
        print(dump({"name": site.name, "period": args.period, "kg": book.carbon_kg,
                    "fuels": fuels}))
        return 0
    print(f"{site.name}, {args.period}: {book.carbon_kg / 1000:,.3f} t CO2e, location-based")
    for fuel, r in fuels.items():
        if "note" in r:
            print(f"  {fuel}: {r['note']} (not counted)")
            continue
        print(f"  {fuel}: {r['kg'] / 1000:,.3f} t from {r['kwh']:,.0f} kWh "
              f"({r['kg_per_kwh']:.4f} kg/kWh; {'; '.join(r['sources'])})")
    return 0


# -- bills --------------------------------------------------------------------------------------
def bills_cmd(args) -> int:
    from energize_desktop.analytics.bills import reconcile
    from energize_desktop.imports.bills import read_bills
    from energize_desktop.storage import Workspace
    from energize_desktop.storage.energy_terms import BillStore

    with Workspace.open(args.workspace, read_only=args.action == "reconcile") as ws:
        meter = ws.meter(ref(args.meter))
        site = ws.site_of(meter)
        store = BillStore(ws)
        if args.action == "import":
            if not args.file:
                raise ValidationError("bills import: name the bill CSV or Green Button file")
            notes: list[str] = []
            bills = read_bills(args.file, site.timezone, notes)
            n = store.replace(meter.id, bills, args.file.name)
            print(f"kept {n} bills for {meter.name} from {args.file.name}")
            for note in notes:
                print(f"  · {note}")
            return 0
        bills = store.of_meter(meter.id)
        if not bills:
            raise ValidationError(f"meter {meter.name}: no bills imported; use energize bills "
                                  "import FILE -m METER")
        e = sup.meter_energy(ws, meter, min(b["start_us"] for b in bills),
                             max(b["end_us"] for b in bills))
        rows = reconcile(e.ts_us, e.kwh, e.step_s, bills, args.tolerance,
                         meter.calorific_kwh_per_m3)
    if args.json:
        print(dump({"meter": meter.name, "bills": rows}))
        return 0
    print(f"{meter.name}: {len(rows)} bills")
    for r in rows:
        a, b = local_date(r["start_us"], site.timezone), local_date(r["end_us"],
                                                                            site.timezone)
        print(f"  {a}..{b}  billed {r['billed_kwh']:>10,.0f} kWh  metered "
              f"{r['metered_kwh']:>10,.0f} kWh  {r['difference_kwh']:>+9,.0f} kWh "
              f"({r['difference_pct']:+.1f} %)  "
              f"covered {r['coverage']:.0%}  {r['verdict']}")
    return 0
