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

from energize_desktop.cli import (
    alerts,
    baseline,
    describe,
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
from energize_desktop.core.text import printable

# In the order `energize --help` lists them.
GROUPS = (window, workspace, describe, imports, live, detect, alerts, baseline, insights, money, plan,
          report, sync)


class _Version(argparse.Action):
    """--version, the version looked up only when asked (importlib.metadata is slow to load)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from energize_desktop import __version__

        print(f"energize {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="energize", description="Building energy monitoring, analytics and audits.")
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show the program's version number and exit")
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
    # a command that reports errors itself (import, file by file) names their flags with it
    args.command_parser = _subparser(parser, args.command) if args.command else None
    if args.command != "gui":  # what files and brokers named reaches no terminal as a command
        sys.stdout, sys.stderr = SafeStream(sys.stdout), SafeStream(sys.stderr, keep="\n\t\r")
    try:
        return args.func(args) or 0 if args.command else window.run_default()
    except EnergizeError as exc:
        command = _subparser(parser, args.command)
        if command is not None and getattr(args, "action", None):
            command = _subparser(command, args.action) or command  # `site set`, `meter set`
        print(f"energize: error: {error_text(exc, command)}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `energize ... | head`: the reader has gone, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (MemoryError, RecursionError, OSError, ValueError, TypeError, KeyError, IndexError,
            AttributeError, RuntimeError) as exc:  # a bug: said plainly, kept in the log
        return _internal_error(exc)
    except KeyboardInterrupt:
        print("energize: interrupted", file=sys.stderr)
        return 130
    finally:
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if isinstance(stream, SafeStream):
                setattr(sys, name, stream.inner)


def _internal_error(exc: BaseException) -> int:
    """Not the user's input but a fault of ours: one line on the terminal, the traceback in the
    log folder for a bug report, exit status 70 (EX_SOFTWARE)."""
    import traceback

    from energize_desktop import paths

    log = paths.log_dir() / "crash.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as f:
            f.write("".join(traceback.format_exception(exc)) + "\n")
        where = f"; the details are in {log}"
    except OSError:
        where = ""
    print(f"energize: internal error: {type(exc).__name__}: {exc}{where}", file=sys.stderr)
    return 70


class SafeStream:
    """A text stream that writes control characters as escapes."""

    def __init__(self, inner, keep: str = "\n\t"):
        self.inner, self.keep = inner, keep

    def write(self, text: str) -> int:
        return self.inner.write(printable(text, self.keep))

    def __getattr__(self, name):
        return getattr(self.inner, name)


def gui_main() -> int:
    return main(["gui", *sys.argv[1:]])


def _subparser(parser: argparse.ArgumentParser, name: str | None):
    for action in parser._actions:  # argparse keeps no public map of its subcommands
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(name)
    return None


if __name__ == "__main__":
    raise SystemExit(main())
