"""`make bench`: run the benchmarks and write benchmarks/results/<name>.json.

    python -m benchmarks [--quick] [--only NAME] [--meters N] [--days N]
"""

import argparse

from benchmarks import (alarm_budget, alerts, anomaly, anomaly_lobo, baselines, forecasts, frozen, hostile, imports, ingest,
                        ledger, modbus, mqtt, reports, sync, ui)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--only", choices=["ingest", "import", "modbus", "mqtt", "anomaly",
                                                   "alerts", "baselines", "forecasts", "ui",
                                                   "reports", "sync", "frozen", "hostile",
                                                   "ledger", "anomaly-lobo",
                                                   "alarm-budget"])
    parser.add_argument("--meters", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--live-days", type=int, default=7)
    parser.add_argument("--import-years", type=int, default=10)
    args = parser.parse_args()
    if args.quick:
        args.meters, args.days, args.live_days, args.import_years = 10, 30, 1, 1
    runs = {"ingest": lambda: ingest.run(args.meters, args.days, args.live_days),
            "import": lambda: imports.run(50, args.import_years),
            "modbus": lambda: modbus.run(10.0 if args.quick else 60.0),
            "mqtt": lambda: mqtt.run(10_000 if args.quick else 100_000,
                                     5 if args.quick else 20),
            "anomaly": lambda: anomaly.run(50 if args.quick else 1000),
            "alerts": lambda: alerts.run(5 if args.quick else 30),
            "baselines": baselines.run, "forecasts": forecasts.run,
            "ui": lambda: ui.run(args.quick), "reports": reports.run,
            "sync": lambda: sync.run(500_000 if args.quick else 10_000_000),
            "frozen": frozen.run, "hostile": hostile.run, "ledger": ledger.run,
            "anomaly-lobo": anomaly_lobo.run, "alarm-budget": alarm_budget.run}
    for name, run in runs.items():
        if args.only and name != args.only:
            continue
        result = run()
        path = result.write()
        print(result.table())
        print(f"\nwrote {path}\n")


if __name__ == "__main__":
    main()
