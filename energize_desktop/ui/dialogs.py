"""The one seam for modal dialogs, so tests can replace it and nothing modal ever blocks them."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox


def error_text(exc: Exception, labels: dict[str, str] | None = None) -> str:
    """An error as the window says it: led by the label of the control its field came from
    ("Baseline period: …"), where the error names one the page has."""
    field = getattr(exc, "field", None)
    label = (labels or {}).get(field) if field else None
    return f"{label}: {exc}" if label else str(exc)


class Dialogs:
    def __init__(self, parent=None):
        self.parent = parent

    def open_file(self, title: str, filters: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, title, "", filters)
        return path or None

    def save_file(self, title: str, filters: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, title, "", filters)
        return path or None

    def error(self, title: str, message: str) -> None:
        QMessageBox.critical(self.parent, title, message)

    def open_external(self, path: str) -> bool:
        """Show a file (or a folder) with the system's viewer; False when none opened it."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(path)))

    def ask_text(self, title: str, label: str) -> str | None:
        """A note to go with an action; None when the user cancels."""
        text, ok = QInputDialog.getText(self.parent, title, label)
        return text if ok else None

    def edit_site(self, title: str, values: dict, next_steps: bool = False) -> dict | None:
        """The site form (ui/site_form.py); its values (and "then" for the wizard), or None
        when cancelled. OK is enabled only when the form has no problem."""
        from energize_desktop.ui.site_form import SiteDialog

        dialog = SiteDialog(title, values, next_steps, self.parent)
        return dialog.answer() if dialog.exec() else None


class RecordingDialogs(Dialogs):
    """For tests: answers from a queue, and records every message instead of showing it."""

    def __init__(self, answers=None):
        super().__init__(None)
        self.answers = list(answers or [])
        self.errors: list[tuple[str, str]] = []
        self.opened: list[str] = []
        self.viewer = True  # whether a viewer "opens" what is asked

    def open_file(self, title, filters):
        return self.answers.pop(0) if self.answers else None

    def save_file(self, title, filters):
        return self.answers.pop(0) if self.answers else None

    def error(self, title, message):
        self.errors.append((title, message))

    def ask_text(self, title, label):
        return self.answers.pop(0) if self.answers else None

    def edit_site(self, title, values, next_steps=False):
        """The next answer: a dict of the form's values, validated as the form would."""
        from energize_desktop.ui.site_form import SiteForm

        if not self.answers:
            return None
        answer = dict(self.answers.pop(0))
        form = SiteForm({**values, **answer})
        problem = form.problem()
        if problem:
            self.errors.append((title, problem))
            return None
        return {**form.values(), **({"then": answer.get("then", "import"),
                                     "fuels": list(answer.get("fuels", ["electricity"]))}
                                    if next_steps else {})}

    def open_external(self, path):
        self.opened.append(path)
        return self.viewer
