"""Live acquisition in the window: live/session's acquisition (the same the headless logger
runs), readings handed to the GUI thread as signals (the writer thread never touches a
widget) and a status poll on a timer."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

STATUS_MS = 1000


class LiveSession(QObject):
    readings = Signal(object, object, object)  # meter ids, ts µs, values — just committed
    status = Signal(list)  # lines: per device / broker and the totals
    states = Signal(dict)  # device or broker name -> state, for the tree's lights
    sources = Signal(list)  # dicts per device and broker: name, state, since, error
    stopped = Signal()

    def __init__(self, ws, alert_channel=None, parent=None):
        super().__init__(parent)
        self.ws = ws
        self.alert_channel = alert_channel
        self.live = None  # live.session.LiveAcquisition while running
        self._timer = QTimer(self, interval=STATUS_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def running(self) -> bool:
        return self.live is not None

    def start(self, config_text: str, site=None) -> None:
        """Parse (errors raise, nothing started), keep the settings, start."""
        from energize_desktop.live.session import LiveAcquisition
        from energize_desktop.live.sources_config import SourcesConfig

        config = SourcesConfig.loads(config_text, "connection settings")
        channels = [self.alert_channel] if self.alert_channel is not None else []
        self.live = LiveAcquisition(self.ws, config, site=site, channels=channels).start()
        self.live.on_readings = self.readings.emit  # queued to the GUI thread
        self._timer.start()

    def _poll(self) -> None:
        if self.live is not None:
            self.status.emit(self.live.status_lines())
            self.states.emit(self.live.states())
            self.sources.emit(self.live.source_states())

    def stop(self) -> None:
        if self.live is None:
            return
        self._timer.stop()
        self.status.emit(self.live.stop())
        self.states.emit({})  # no lights once stopped
        self.sources.emit([])
        self.live = None
        self.stopped.emit()
