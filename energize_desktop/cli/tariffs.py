"""`energize tariff -w W add tariff.json | add-prices NAME prices.csv | list | show NAME |
remove NAME | default NAME` (its parser is with the other money commands in cli/money.py)."""

from __future__ import annotations

import json
from pathlib import Path

from energize_desktop.core.errors import ValidationError
from energize_desktop.jobs import ledger


def tariff_cmd(args) -> int:
    from energize_desktop.storage import Workspace
    from energize_desktop.storage.energy_terms import TariffStore

    with Workspace.open(args.workspace, read_only=args.action in ("list", "show")) as ws:
        store = TariffStore(ws)
        if args.action == "list":
            for name in store.names():
                t = ledger.load_tariff(ws, name)
                mark = "  (default)" if ledger.default_tariff(ws, t.fuel) == name else ""
                dyn = (f"  dynamic prices every {t.prices.step_s // 60} min, "
                       f"{_utc_text(t.prices.first_us)} to {_utc_text(t.prices.end_us)} UTC"
                       if t.prices is not None else "")
                print(f"{name}  [{t.fuel}]{mark}{dyn}")
            return 0
        if not args.target:
            what = "JSON file" if args.action == "add" else "tariff"
            raise ValidationError(f"tariff {args.action}: name a {what}")
        if args.action == "add-prices":
            if args.file is None:
                raise ValidationError("tariff add-prices NAME FILE.csv: name the price file",
                                      field="file")
            from energize_desktop.imports.price_csv import read_price_csv

            ts, price, step = read_price_csv(args.file)
            ledger.load_tariff(ws, args.target)  # refuses an unknown tariff
            n = store.save_prices(args.target, ts, price, step)
            print(f"tariff {args.target!r}: {n:,} prices every {step // 60} min from "
                  f"{_utc_text(ts[0])} to {_utc_text(ts[-1] + step * 1_000_000)} (UTC); its "
                  "rates price the steps outside them")
        elif args.action == "add":
            from energize_desktop.jobs.terms import keep_tariff

            t, chosen = keep_tariff(ws, _json_file(Path(args.target)), str(args.target))
            print(f"kept tariff {t.name!r}: {t.fuel}, {len(t.versions)} version(s) from "
                  f"{t.versions[0].valid_from}, {t.currency}"
                  + ("" if t.fuel_given else " (no \"fuel\" given: read as electricity)"))
            print(f"default {t.fuel} tariff: {t.name}" if chosen == t.name else
                  f"{t.fuel} stays priced on {chosen!r}; compare with `energize cost --compare "
                  f"{t.name!r}`, choose with `energize tariff default {t.name!r}`")
        elif args.action == "show":
            print(json.dumps(store.load(args.target), indent=1))
        elif args.action == "remove":
            print("removed" if store.remove(args.target) else f"no tariff {args.target!r}")
        else:
            t = ledger.set_default_tariff(ws, args.target)  # refuses an unknown name
            print(f"default {t.fuel} tariff: {args.target}")
    return 0


def _utc_text(us) -> str:
    import numpy as np

    return str(np.datetime64(int(us), "us").astype("datetime64[m]")).replace("T", " ")


def _json_file(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationError(f"{path}: cannot read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON "
                              f"({exc.msg})") from None


