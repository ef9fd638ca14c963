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
    gui.add_argument("--size", metavar="WxH", type=_size,
                     help="window size for --pages and --screenshot (default 1400x900)")
    gui.add_argument("--theme", choices=["light", "dark"],
                     help="theme for this run (not saved)")


def _size(text: str) -> tuple[int, int]:
    from energize_desktop.core.errors import ValidationError

    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ValidationError(f"{text!r}: expected WIDTHxHEIGHT, e.g. 1280x720",
                              field="size") from None
    if not (640 <= w <= 8000 and 480 <= h <= 8000):
        raise ValidationError(f"{text!r}: expected at least 640x480", field="size")
    return w, h


def _gui(args) -> int:
    from energize_desktop.app import run

    return run(workspace=args.workspace, demo=args.demo, screenshot=args.screenshot,
               pages_dir=args.pages, size=args.size, theme=args.theme)


def run_default() -> int:
    """No command given: the window, as the desktop entry opens it."""
    from energize_desktop.app import run

    return run(workspace=None, demo=False, screenshot=None, pages_dir=None)
