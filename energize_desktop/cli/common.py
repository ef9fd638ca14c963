"""What every command group shares: the `--workspace` parent parser, one way to declare a
command, references to meters and sites, times and periods as users write them, and how an
error is printed (with the flag the user typed, where the error names a field)."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from pathlib import Path

import numpy as np

from energize_desktop.core.errors import EnergizeError, ValidationError
from energize_desktop.core.model import ref  # noqa: F401 (the commands import it from here)


def _workspace_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--workspace", "-w", type=Path, required=True,
                        help="the workspace file (.energize)")
    return parent


WORKSPACE = _workspace_parent()


def command(sub, name: str, func, *, workspace: bool = True, **kwargs) -> argparse.ArgumentParser:
    """A subcommand whose parse result runs `func(args)`; `--workspace` unless told otherwise."""
    parser = sub.add_parser(name, parents=[WORKSPACE] if workspace else [], **kwargs)
    parser.set_defaults(func=func)
    return parser


def when(text: str | None, field: str):
    """An ISO date or time given on the command line, or None."""
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"{text!r}: expected an ISO date such as 2025-01-31 or "
                              "2025-01-31T06:00", field=field) from None


def dump(obj) -> str:
    """JSON for `--json`: numpy numbers and dates written as plain values."""
    return json.dumps(obj, indent=1, default=_plain)


def _plain(x):
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, (date, datetime)):
        return x.isoformat()
    raise TypeError(type(x).__name__)


def error_text(exc: EnergizeError, parser: argparse.ArgumentParser | None) -> str:
    """The message, led by the flag of the field it names (`--train: ...`) when there is one."""
    flag = flag_of(parser, exc.field) if exc.field and parser is not None else None
    return f"{flag}: {exc}" if flag else str(exc)


def flag_of(parser: argparse.ArgumentParser, field: str) -> str | None:
    """The longest option string of the argument whose destination is `field`."""
    for action in parser._actions:  # argparse keeps no public index of its actions
        if action.dest == field and action.option_strings:
            return max(action.option_strings, key=len)
    return None


def open_for_reading(path: Path):
    """The workspace read-only — or, while `energize acquire` holds it, a snapshot the logger
    serves (said on stderr: the figures are as of that moment)."""
    import sys

    from energize_desktop.live.read_api import open_for_reading as opened

    ws = opened(path)
    if ws.logger is not None:
        print(f"{path}: being logged by process {ws.logger.pid}; read from its snapshot as of "
              f"{datetime.now():%H:%M:%S}", file=sys.stderr)
    return ws
