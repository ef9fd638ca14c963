"""`energize gui` (the default command): the window, on a workspace or the demo."""

from __future__ import annotations

from pathlib import Path

from energize_desktop.cli.common import command


def add_parsers(sub) -> None:
    gui = command(sub, "gui", _gui, workspace=False, help="open the window (the default)")
    gui.add_argument("workspace", nargs="?", type=Path, help="workspace file to open")
    gui.add_argument("--demo", action="store_true", help="open the demo workspace")
    gui.add_argument("--pages", type=Path, metavar="DIR",
                     help="save a PNG of every page once its data is in, then exit")
    gui.add_argument("--screenshot", type=Path, metavar="PNG",
                     help="render the window to a PNG once its chart is drawn, then exit")


def _gui(args) -> int:
    from energize_desktop.app import run

    return run(workspace=args.workspace, demo=args.demo, screenshot=args.screenshot,
               pages_dir=args.pages)


def run_default() -> int:
    """No command given: the window, as the desktop entry opens it."""
    from energize_desktop.app import run

    return run(workspace=None, demo=False, screenshot=None, pages_dir=None)
