"""Composition root: the QApplication, bundled fonts, the services and the main window."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from energize_desktop import paths


def ensure_demo() -> Path:
    """The demo workspace in the user's data folder, written on first use."""
    from energize_desktop.demo.build import VERSION, build_demo

    path = paths.demo_workspace()
    if path.exists() and _demo_version(path) < VERSION:
        # an older demo: kept aside (the user may have worked in it), a new one written
        path.replace(path.with_name(f"{path.stem}-v{_demo_version(path)}{path.suffix}"))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        build_demo(path)
    return path


def _demo_version(path: Path) -> int:
    from energize_desktop.storage import Workspace
    from energize_desktop.storage.metadata import DEMO_VERSION

    try:
        with Workspace.open(path) as ws:  # an older schema is migrated (a backup kept)
            return DEMO_VERSION.get(ws)
    except Exception:  # unreadable: kept aside as version 0, a new demo written
        return 0


def load_fonts(app) -> str | None:
    """Register the bundled font and make it the default: text renders with no system fonts."""
    from PySide6.QtGui import QFont, QFontDatabase

    family = None
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        font_id = QFontDatabase.addApplicationFont(str(paths.resource("fonts", name)))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        family = family or (families[0] if families else None)
    if family:
        app.setFont(QFont(family, 10))
    return family


def create_app(argv=None):
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("Energize")
    app.setOrganizationName("Energize")
    pg.setConfigOptions(antialias=True, foreground="#333")
    load_fonts(app)
    return app


def run(workspace: Path | None = None, demo: bool = False, screenshot: Path | None = None,
        pages_dir: Path | None = None, size: tuple[int, int] | None = None,
        theme: str | None = None) -> int:
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    from energize_desktop.runtime.workspace_service import WorkspaceService
    from energize_desktop.ui.main_window import MainWindow

    service = WorkspaceService()
    window = MainWindow(service, open_demo=ensure_demo)
    if theme:  # this run only: preferences.toml keeps the user's choice
        from energize_desktop.ui.window_support import apply_theme

        window.theme_override = theme
        apply_theme(theme)
    window.show()
    if screenshot:  # once the chart and the overview are both in
        waiting = {"series", "overview"}

        def arrived(what):
            started = os.environ.get("ENERGIZE_LAUNCH_T0")  # set by benchmarks/ui.py
            if started and what == "series":  # the chart drawn: the window is usable
                print(f"usable after {time.time() - float(started):.3f} s")
            if what in waiting:
                waiting.discard(what)
                if not waiting:
                    _save_and_quit(app, window, screenshot)
        service.series_ready.connect(lambda _s: arrived("series"))
        service.overview_ready.connect(lambda _o: arrived("overview"))
        service.failed.connect(lambda msg: app.exit(1))
    if size and (screenshot or pages_dir):
        window.resize(*size)
    if pages_dir:
        window.resize(*(size or (1400, 900)))
        started: list[bool] = []  # once: detection refreshes the Overview again

        def first_overview(_o) -> None:
            if not started:
                started.append(True)
                _save_pages(app, window, pages_dir)

        service.overview_ready.connect(first_overview)
        service.failed.connect(lambda msg: app.exit(1))
    target = workspace or (ensure_demo() if demo or workspace is None else None)
    if target and not window.open_path(Path(target)) and screenshot:
        return 1
    return app.exec()


def _save_and_quit(app, window, path: Path) -> None:
    from PySide6.QtCore import QTimer

    def save():
        window.grab().save(str(path))
        print(f"saved {path}")
        app.quit()

    QTimer.singleShot(0, save)  # after the chart has taken the new data


def _save_pages(app, window, folder: Path) -> None:
    """One PNG per page (`make screenshots`), each after its data has arrived."""
    from PySide6.QtCore import QTimer

    from energize_desktop.ui.main_window import PAGES

    folder.mkdir(parents=True, exist_ok=True)
    # the baseline runs as a job: its result arrives with the job runner's `finished`
    waits = {"Shapes": window.service.shapes_ready, "Baselines": window.service.jobs.finished}

    def save(i: int) -> None:
        path = folder / f"{i + 1}-{PAGES[i].lower()}.png"
        window.grab().save(str(path))
        print(f"saved {path}")
        if i + 1 == len(PAGES):
            app.quit()
        elif PAGES[i + 1] in waits:  # saved when its data is in
            window.pages.setCurrentIndex(i + 1)
            if PAGES[i + 1] == "Baselines":
                window.baselines.fit_button.click()  # on its defaults: the last 12 months
        else:
            window.pages.setCurrentIndex(i + 1)
            QTimer.singleShot(300, lambda: save(i + 1))

    def begin(*args) -> None:  # once detection has run: the Anomalies page shows its result
        if not args or not hasattr(args[-1], "meters_done"):
            return  # another job (the Overview's) finished first
        window.service.jobs.finished.disconnect(begin)
        for name, signal in waits.items():
            i = PAGES.index(name)
            signal.connect(lambda *_a, i=i: QTimer.singleShot(200, lambda: save(i)))
        window.pages.setCurrentIndex(0)
        QTimer.singleShot(300, lambda: save(0))

    window.service.jobs.finished.connect(begin)
    window.detect_anomalies()
