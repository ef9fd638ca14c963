"""Alerts on the desktop: a tray notification where the desktop has a tray, and always a
line in the window's status bar (a headless or tray-less desktop still shows it)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon


class QtAlertChannel(QObject):
    """An alert engine notifier: `notify` runs on the engine's sender thread, `raised` is
    delivered on the GUI thread (a queued signal)."""

    raised = Signal(dict)

    def notify(self, alert: dict) -> None:
        self.raised.emit(dict(alert))


class AlertTray(QObject):
    shown = Signal(str, str)  # title, text: what the user was told

    def __init__(self, channel: QtAlertChannel, status_label=None, parent=None):
        super().__init__(parent)
        self.status_label = status_label
        self.tray = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.setToolTip("Energize: alerts")
            self.tray.show()
        channel.raised.connect(self.show_alert)

    def show_alert(self, alert: dict) -> None:
        where = f" — {alert['meter']}" if alert.get("meter") else ""
        title = f"{alert['severity'].capitalize()}: {alert['rule']}{where}"
        icon = (QSystemTrayIcon.MessageIcon.Critical if alert["severity"] == "critical"
                else QSystemTrayIcon.MessageIcon.Warning)
        if self.tray is not None:
            self.tray.showMessage(title, alert["message"], icon, 15_000)
        if self.status_label is not None:
            self.status_label.setText(f"⚠ {title}: {alert['message']}")
        self.shown.emit(title, alert["message"])
