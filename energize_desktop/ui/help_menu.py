"""The window's Help and Edit menus and its page keys: the user guide (the README's sections,
rendered in the app; F1 opens the section of the page in front), Ctrl+Tab / Ctrl+PgDn to the
next page (Shift or PgUp back), Ctrl+B to hide the sidebar, and Edit › Undo (Ctrl+Z) for
what the window changed ("Not an anomaly" so far), newest first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QListWidget, QSplitter, QTextBrowser, QVBoxLayout

# The README section each page's F1 opens.
PAGE_SECTIONS = {"Overview": "The window", "Explorer": "The window", "Shapes": "The window",
                 "Anomalies": "Anomaly detection and alerts",
                 "Baselines": "Baselines and savings (IPMVP option C)",
                 "Connections": "Live acquisition (Modbus)", "Import": "Importing files",
                 "Reports": "Reports and exports",
                 "Settings": "Sharing: sync to PostgreSQL / TimescaleDB"}
FIRST = "Using it"


def guide_sections(text: str | None = None) -> dict[str, str]:
    """The README's `##` sections (title → markdown), in order."""
    if text is None:
        text = _readme()
    out: dict[str, str] = {}
    for part in re.split(r"(?m)^## ", text)[1:]:
        title, _, body = part.partition("\n")
        out[title.strip()] = f"## {title.strip()}\n{body}"
    return out


def _readme() -> str:
    from energize_desktop import paths

    for path in (paths.resources_dir().parent / "README.md", paths.resource("README.md")):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return "## Using it\nThe user guide is not installed with this copy of Energize.\n"


class GuideDialog(QDialog):
    """Sections on the left, the chosen one rendered on the right; not modal."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Energize — user guide")
        self.resize(900, 640)
        self.sections = guide_sections()
        self.index = QListWidget()
        self.index.addItems(list(self.sections))
        self.index.currentTextChanged.connect(self.show_section)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        split = QSplitter()
        split.addWidget(self.index)
        split.addWidget(self.text)
        split.setSizes([220, 680])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

    def show_section(self, title: str) -> None:
        if title not in self.sections:
            title = FIRST if FIRST in self.sections else next(iter(self.sections), "")
        self.text.setMarkdown(self.sections.get(title, ""))
        self.current = title
        items = self.index.findItems(title, Qt.MatchFlag.MatchExactly)
        if items and self.index.currentItem() is not items[0]:
            self.index.setCurrentItem(items[0])


@dataclass
class UndoStep:
    label: str
    undo: Callable[[], None]


class WindowKeys:
    """Installs the menus and keys on a MainWindow (its `pages`, `splitter`, `menuBar()`)."""

    def __init__(self, window, page_names):
        self.window, self.page_names = window, list(page_names)
        self.guide: GuideDialog | None = None
        self.undo_steps: list[UndoStep] = []
        self._edit_menu()
        self._help_menu()
        self._page_keys()

    # -- Edit › Undo ------------------------------------------------------------------------------
    def _edit_menu(self) -> None:
        menu = self.edit_menu = self.window.menuBar().addMenu("&Edit")
        self.undo_action = QAction("&Undo", self.window)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(self.undo)
        menu.addAction(self.undo_action)
        self._refresh_undo()

    def push_undo(self, label: str, undo: Callable[[], None]) -> None:
        self.undo_steps.append(UndoStep(label, undo))
        self._refresh_undo()

    def undo(self) -> str | None:
        if not self.undo_steps:
            return None
        step = self.undo_steps.pop()
        step.undo()
        self._refresh_undo()
        return step.label

    def _refresh_undo(self) -> None:
        last = self.undo_steps[-1].label if self.undo_steps else None
        self.undo_action.setText(f"&Undo {last}" if last else "&Undo")
        self.undo_action.setEnabled(last is not None)

    # -- Help ---------------------------------------------------------------------------------------
    def _help_menu(self) -> None:
        menu = self.window.menuBar().addMenu("&Help")
        guide = QAction("&User guide for this page", self.window)
        guide.setShortcut(QKeySequence.StandardKey.HelpContents)  # F1
        guide.triggered.connect(self.help_for_page)
        menu.addAction(guide)
        whole = QAction("User &guide", self.window)
        whole.triggered.connect(lambda: self.open_guide(FIRST))
        menu.addAction(whole)

    def help_for_page(self) -> str:
        name = self.page_names[self.window.pages.currentIndex()]
        return self.open_guide(PAGE_SECTIONS.get(name, FIRST))

    def open_guide(self, section: str) -> str:
        if self.guide is None:
            self.guide = GuideDialog(self.window)
        self.guide.show_section(section)
        self.guide.show()
        self.guide.raise_()
        return section

    # -- pages and the sidebar ----------------------------------------------------------------------
    def _page_keys(self) -> None:
        pages = self.window.pages

        def step(by: int):
            return lambda: pages.setCurrentIndex((pages.currentIndex() + by) % pages.count())

        self.shortcuts = {}
        for keys, by in (("Ctrl+Tab", 1), ("Ctrl+PgDown", 1), ("Ctrl+Shift+Tab", -1),
                         ("Ctrl+PgUp", -1)):
            self.shortcuts[keys] = QShortcut(QKeySequence(keys), self.window,
                                             activated=step(by))
        self.sidebar_action = QAction("Show &sidebar", self.window, checkable=True,
                                      checked=True)
        self.sidebar_action.setShortcut("Ctrl+B")
        self.sidebar_action.toggled.connect(self.window.tree.setVisible)
        view = next((a.menu() for a in self.window.menuBar().actions()
                     if a.text().replace("&", "") == "View"), None)
        (view or self.window.menuBar()).addAction(self.sidebar_action)
