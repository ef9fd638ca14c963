"""Settings: units, currency and theme (saved to preferences.toml), what happens to passwords
(the OS keyring, or nowhere), and where the data folder is."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from energize_desktop.preferences import CHOICES, Preferences


class SettingsPage(QWidget):
    saved = Signal(object)  # Preferences

    def __init__(self, prefs: Preferences, keyring_text, data_folder: str, parent=None):
        """`keyring_text()` is asked when the page is first shown: finding the OS keyring
        takes ~0.15 s, which launch should not pay."""
        super().__init__(parent)
        self.prefs = prefs
        self.units, self.theme = QComboBox(), QComboBox()
        self.units.addItems(list(CHOICES["units"]))
        self.theme.addItems(list(CHOICES["theme"]))
        self.currency = QLineEdit()
        self.currency.setMaxLength(3)
        for w, name in ((self.units, "units"), (self.theme, "theme"), (self.currency, "currency")):
            w.setAccessibleName(name)
        self._keyring_text = keyring_text
        self.keyring = QLabel("…")
        self.keyring.setWordWrap(True)
        self.message = QLabel("")
        self.save_button = QPushButton("Save settings")
        self.save_button.clicked.connect(self._save)
        form = QFormLayout()
        form.addRow("Units", self.units)
        form.addRow("Currency", self.currency)
        form.addRow("Theme", self.theme)
        form.addRow("Passwords", self.keyring)
        form.addRow("Data folder", QLabel(data_folder))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.save_button)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.show_prefs(prefs)

    def ensure_keyring_text(self) -> None:
        if self._keyring_text is not None:
            self.keyring.setText(self._keyring_text())
            self._keyring_text = None

    def showEvent(self, event) -> None:
        self.ensure_keyring_text()
        super().showEvent(event)

    def show_prefs(self, prefs: Preferences) -> None:
        self.prefs = prefs
        self.units.setCurrentText(prefs.units)
        self.theme.setCurrentText(prefs.theme)
        self.currency.setText(prefs.currency)

    def _save(self) -> None:
        from dataclasses import replace

        from energize_desktop.core.errors import ValidationError

        try:
            prefs = replace(self.prefs, units=self.units.currentText(),
                            theme=self.theme.currentText(),
                            currency=self.currency.text().strip().upper())
        except ValidationError as exc:
            self.message.setText(f"<span style='color:#b03a2e'>{exc}</span>")
            return
        self.message.setText("Saved.")
        self.saved.emit(prefs)
