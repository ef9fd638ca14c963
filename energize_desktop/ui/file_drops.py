"""Files given to the window by the desktop: dropped onto it, or opened from Finder (macOS sends
a FileOpen event to the application rather than a command-line argument). A workspace file
opens; meter data files (CSV, Green Button XML, NEM12, data packages) go to the Import page."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject

WORKSPACE_SUFFIX = ".energize"
DATA_SUFFIXES = (".csv", ".txt", ".xml", ".gz", ".zip", ".dat")


class FileDrops(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        window.setAcceptDrops(True)
        from PySide6.QtWidgets import QApplication

        # on the application: it sees the window's drag events and FileOpen, sent to it alone
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.FileOpen:
            return self.take([Path(event.file())])
        if obj is not self.window:
            return False
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if usable(_paths(event)):
                event.acceptProposedAction()
                return True
            return False
        if kind == QEvent.Type.Drop:
            event.acceptProposedAction()
            return self.take(_paths(event))
        return False

    def take(self, paths: list[Path]) -> bool:
        """Open the first workspace, or queue data files for import; False if neither."""
        workspaces = [p for p in paths if p.suffix.lower() == WORKSPACE_SUFFIX]
        if workspaces:
            self.window.open_path(workspaces[0])
            return True
        data = [p for p in paths if p.suffix.lower() in DATA_SUFFIXES]
        if data:
            self.window.importer.add_paths([str(p) for p in data])
            self.window.pages.setCurrentWidget(self.window.importer)
            return True
        return False


def usable(paths: list[Path]) -> bool:
    return any(p.suffix.lower() in (WORKSPACE_SUFFIX, *DATA_SUFFIXES) for p in paths)


def _paths(event) -> list[Path]:
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
