"""Small pieces the main window uses: theme, icons, the user's name, this computer's zone."""

from __future__ import annotations


def login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still an honest audit entry
        return "desktop user"


def apply_theme(theme: str) -> None:
    """Dark, light, or whatever the platform gives ("system")."""
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    palette = app.style().standardPalette()
    if theme == "dark":
        roles = {QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#e6e6e6",
                 QPalette.ColorRole.Base: "#1e1e1e", QPalette.ColorRole.AlternateBase: "#2f2f2f",
                 QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#353535",
                 QPalette.ColorRole.ButtonText: "#e6e6e6",
                 QPalette.ColorRole.Highlight: "#2a82da"}
        for role, colour in roles.items():
            palette.setColor(role, QColor(colour))
    app.setPalette(palette)


def local_zone() -> str:
    """This computer's IANA zone for a new site (UTC when it cannot be told)."""
    import os

    zone = os.environ.get("TZ", "")
    if "/" in zone:
        return zone
    try:
        link = os.path.realpath("/etc/localtime")
        return link.split("zoneinfo/", 1)[1] if "zoneinfo/" in link else "UTC"
    except OSError:
        return "UTC"


def icon(name: str):
    """An SVG icon from resources/icons: crisp at any screen scale."""
    from PySide6.QtGui import QIcon

    from energize_desktop import paths

    return QIcon(str(paths.resource("icons", f"{name}.svg")))
