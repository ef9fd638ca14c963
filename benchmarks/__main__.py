"""`make bench`: run the benchmarks and write benchmarks/results/<name>.json.

    python -m benchmarks [--quick] [--meters N] [--days N]
"""

import argparse

from benchmarks import ingest


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="10 meters × 30 days (a smoke run)")
    parser.add_argument("--meters", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--live-days", type=int, default=7)
    args = parser.parse_args()
    if args.quick:
        args.meters, args.days, args.live_days = 10, 30, 1
    result = ingest.run(args.meters, args.days, args.live_days)
    path = result.write()
    print(result.table())
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
