"""`energize`: the application's services without a window. No subcommand opens the window.

Each command group is a module of this package with `add_parsers(sub)`; every subcommand sets
`func` (cli.common.command), and `main()` calls `args.func(args)`.

Exit status: 0 on success, 1 on an error the user can act on (the message says what and where),
2 on a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys

from energize_desktop import __version__
from energize_desktop.cli import (
    alerts,
    baseline,
    detect,
    imports,
    insights,
    live,
    money,
    plan,
    report,
    sync,
    window,
    workspace,
)
from energize_desktop.cli.common import error_text
from energize_desktop.core.errors import EnergizeError

# In the order `energize --help` lists them.
GROUPS = (window, workspace, imports, live, detect, alerts, baseline, insights, money, plan,
          report, sync)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="energize", description="Building energy monitoring, analytics and audits.")
    parser.add_argument("--version", action="version", version=f"energize {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in GROUPS:
        group.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--selftest"]:
        from energize_desktop.selftest import run

        return run()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version") \
            or argv[0].lower().endswith(".energize"):  # a workspace opened from the desktop
        argv = ["gui", *argv]
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0 if args.command else window.run_default()
    except EnergizeError as exc:
        command = _subparser(parser, args.command)
        print(f"energize: error: {error_text(exc, command)}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `energize ... | head`: the reader has gone, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("energize: interrupted", file=sys.stderr)
        return 130


def gui_main() -> int:
    return main(["gui", *sys.argv[1:]])


def _subparser(parser: argparse.ArgumentParser, name: str | None):
    for action in parser._actions:  # argparse keeps no public map of its subcommands
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(name)
    return None


if __name__ == "__main__":
    raise SystemExit(main())
