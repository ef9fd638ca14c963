"""What every editor shares: a problem line checked as you type — the first thing wrong, led by
the field it belongs to — and a Save button enabled only when there is none. Editors open
window-modal without a nested event loop (`open()`), so the window keeps drawing meanwhile."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from energize_desktop.ui.window_support import theme_colour


def number(text: str) -> float | None:
    """A number as typed (thousands commas allowed); None when blank or not a number."""
    try:
        return float(text.strip().replace(",", ""))
    except ValueError:
        return None


class EditorDialog(QDialog):
    def __init__(self, title: str, parent=None, save_text: str = "Save"):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.problem_label = QLabel("")
        self.problem_label.setWordWrap(True)
        self.problem_label.setAccessibleName("problem")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save |
                                        QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(save_text)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)

    def finish_layout(self) -> None:
        self.body.addWidget(self.problem_label)
        self.body.addWidget(self.buttons)
        self.check()

    def problem(self) -> str | None:  # overridden: the first thing wrong, or None
        return None

    def check(self) -> bool:
        problem = self.problem()
        self.problem_label.setText(problem or "")
        self.problem_label.setStyleSheet(f"color: {theme_colour('bad')}")
        self.save_button.setEnabled(problem is None)
        return problem is None

    def save(self) -> None:  # overridden: store, then say so or show the store's refusal
        self.accept()

    def refused(self, exc: Exception) -> None:
        """The store's own refusal (a check the form could not make), shown in place."""
        self.problem_label.setText(str(exc))
        self.problem_label.setStyleSheet(f"color: {theme_colour('bad')}")
