"""Settings: units, currency and theme (saved to preferences.toml), what happens to passwords
(the OS keyring, or nowhere), and where the data folder is."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from energize_desktop.preferences import CHOICES, Preferences


class SettingsPage(QWidget):
    saved = Signal(object)  # Preferences
    sync_wanted = Signal(str)  # the DSN typed (may be empty: the kept one)
    schedule_changed = Signal(int)  # minutes between syncs, 0 = off

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
        layout.addWidget(self._server_box())
        layout.addStretch(1)
        self.show_prefs(prefs)

    def _server_box(self):
        from PySide6.QtWidgets import QGroupBox, QProgressBar, QSpinBox

        box = QGroupBox("Shared server (PostgreSQL / TimescaleDB)")
        self.dsn = QLineEdit(placeholderText="postgresql://laptop@server/energize?"
                             "sslmode=verify-full (the password goes to the keyring)")
        self.dsn.setAccessibleName("server connection string")
        self.every = QSpinBox(minimum=0, maximum=1440, suffix=" min")
        self.every.setSpecialValueText("on demand only")
        self.every.valueChanged.connect(self.schedule_changed.emit)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.clicked.connect(lambda: self._sync())
        self.sync_progress = QProgressBar()
        self.sync_progress.hide()
        self.sync_status = QLabel("Never synced")
        self.sync_status.setWordWrap(True)
        form = QFormLayout(box)
        form.addRow("Server", self.dsn)
        form.addRow("Sync every", self.every)
        form.addRow(self.sync_button)
        form.addRow(self.sync_progress)
        form.addRow(self.sync_status)
        return box

    def _sync(self) -> None:
        self.sync_button.setEnabled(False)
        self.sync_progress.show()
        self.sync_status.setText("Syncing…")
        self.sync_wanted.emit(self.dsn.text().strip())
        self.dsn.clear()  # the typed password is not kept on screen either

    def show_sync_progress(self, done: int, total: int, what: str) -> None:
        self.sync_progress.setRange(0, total)
        self.sync_progress.setValue(done)

    def sync_finished(self, summary: str, last: str | None, ok: bool) -> None:
        self.sync_button.setEnabled(True)
        self.sync_progress.hide()
        colour = "#1e8449" if ok else "#b03a2e"
        self.sync_status.setText(f"<span style='color:{colour}'>{summary}</span><br>"
                                 f"Last successful sync: {last or 'never'}")

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
