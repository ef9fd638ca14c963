"""Live acquisition in the window: the acquisition engine and live alerting started together,
readings handed to the GUI thread as signals (the writer thread never touches a widget), a
status poll on a timer, and an ordered stop (sources, last commit, rollups, alerting)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

STATUS_MS = 1000


class LiveSession(QObject):
    readings = Signal(object, object, object)  # meter ids, ts µs, values — just committed
    status = Signal(list)  # lines: per device / broker and the totals
    states = Signal(dict)  # device or broker name -> state, for the tree's lights
    stopped = Signal()

    def __init__(self, ws, alert_channel=None, parent=None):
        super().__init__(parent)
        self.ws = ws
        self.alert_channel = alert_channel
        self.engine = None
        self.alerts = None
        self._timer = QTimer(self, interval=STATUS_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def running(self) -> bool:
        return self.engine is not None

    def start(self, config_text: str, site=None) -> None:
        """Parse (errors raise, nothing started), keep the settings, start."""
        from energize_desktop.live.acquisition import AcquisitionEngine
        from energize_desktop.live.alerting import LiveAlerts
        from energize_desktop.live.sources_config import SourcesConfig

        config = SourcesConfig.loads(config_text, "connection settings")
        self.ws.set_meta("connections", config.dump())
        self.engine = AcquisitionEngine(self.ws, config, site=site).start()
        channels = [self.alert_channel] if self.alert_channel is not None else []
        self.alerts = LiveAlerts(self.ws, extra_channels=channels)
        self.engine.on_readings = self._committed
        self._timer.start()

    def _committed(self, ids: np.ndarray, ts: np.ndarray, values: np.ndarray) -> None:
        self.alerts.feed(ids, ts, values)
        self.readings.emit(ids, ts, values)  # queued to the GUI thread

    def _poll(self) -> None:
        if self.engine is not None:
            self.status.emit(self.engine.status_lines())
            self.states.emit(self.engine.states())

    def stop(self) -> None:
        if self.engine is None:
            return
        self._timer.stop()
        self.engine.stop()
        self.alerts.stop()
        self.status.emit(self.engine.status_lines())
        self.states.emit({})  # no lights once stopped
        self.engine = self.alerts = None
        self.stopped.emit()
