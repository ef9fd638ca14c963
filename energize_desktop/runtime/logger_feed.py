"""A workspace another process logs into, watched from the window: the logger's feed (see
live/read_api) long-polled on a thread of its own and handed to the GUI thread as signals —
readings as they are committed, and every device's state. A logger that stops answering is
said once (`lost`); the snapshot the window shows stays open, read-only."""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QObject, Signal

from energize_desktop.core.errors import EnergizeError

WAIT_S = 5.0  # each poll waits this long for a commit before asking again


class LoggerFeed(QObject):
    readings = Signal(object, object, object)  # meter ids, ts µs, values
    sources = Signal(list)  # dicts per device and broker: name, state, since, error
    status = Signal(list)  # the logger's status lines
    lost = Signal(str)  # why the feed stopped

    def __init__(self, client, parent=None):
        super().__init__(parent)
        self.client = client
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="logger feed", daemon=True)

    def start(self) -> "LoggerFeed":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(WAIT_S + 6)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                got = self.client.poll(wait_s=WAIT_S)
            except EnergizeError as exc:
                if not self._stop.is_set():
                    self.lost.emit(str(exc))
                return
            rows = got["readings"]
            if rows:
                ids, ts, values = zip(*rows)
                self.readings.emit(np.array(ids, np.int32), np.array(ts, np.int64),
                                   np.array(values, np.float64))
            self.sources.emit(got["sources"])
            self.status.emit(got["status"])
