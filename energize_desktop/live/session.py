"""Live acquisition started and stopped as one thing, the same for `energize acquire` and the
window: the connection settings kept in the workspace, the acquisition engine, and live alerting
on what it commits; stopped in order (sources, the last commit, rollups, alerting).
"""

from __future__ import annotations

from energize_desktop.core.errors import ValidationError
from energize_desktop.live.acquisition import AcquisitionEngine
from energize_desktop.live.alerting import LiveAlerts
from energize_desktop.live.sources_config import SourcesConfig
from energize_desktop.storage.api import WorkspaceAPI
from energize_desktop.storage.metadata import CONNECTIONS


def kept_connections(ws: WorkspaceAPI) -> SourcesConfig:
    """The connection settings kept in the workspace."""
    text = CONNECTIONS.get(ws)
    if text is None:
        raise ValidationError(f"{ws.path}: no connections kept in this workspace",
                              field="config")
    return SourcesConfig.loads(text, f"{ws.path} (kept connections)")


class LiveAcquisition:
    """`start()` keeps `config` in the workspace and starts; `on_readings(ids, ts, values)` sees
    every commit after the alert engine has."""

    def __init__(self, ws: WorkspaceAPI, config: SourcesConfig, site=None, on_alert=None,
                 channels=(), on_fatal=None, serve_reads: bool = True):
        self.ws, self.config, self.site = ws, config, site
        self.serve_reads, self.reader = serve_reads, None
        self.on_alert, self.channels, self.on_fatal = on_alert, list(channels), on_fatal
        self.engine: AcquisitionEngine | None = None
        self.alerts: LiveAlerts | None = None
        self.on_readings = None
        self._fatal: str | None = None

    def start(self) -> "LiveAcquisition":
        CONNECTIONS.set(self.ws, self.config.dump())
        self.engine = AcquisitionEngine(self.ws, self.config, site=self.site)
        self.engine.on_fatal = self.on_fatal
        self.engine.start()
        # after the engine: the alert engine then knows the meters it just created
        self.alerts = LiveAlerts(self.ws, on_alert=self.on_alert, extra_channels=self.channels)
        self.engine.on_readings = self._committed
        if self.serve_reads:  # other processes read the workspace through this one meanwhile
            from energize_desktop.live.read_api import ReadServer

            self.reader = ReadServer(self.ws, self.engine.source_states,
                                     self.engine.status_lines).start()
        return self

    def _committed(self, ids, ts, values) -> None:
        self.alerts.feed(ids, ts, values)
        if self.reader is not None:
            self.reader.committed(ids, ts, values)
        if self.on_readings is not None:
            self.on_readings(ids, ts, values)

    @property
    def fatal(self) -> str | None:
        """Why the engine stopped storing readings (the writer could not be restarted)."""
        return self.engine.fatal if self.engine else self._fatal

    @property
    def running(self) -> bool:
        return self.engine is not None

    def status_lines(self) -> list[str]:
        return self.engine.status_lines() if self.engine else []

    def states(self) -> dict:
        return self.engine.states() if self.engine else {}

    def source_states(self) -> list[dict]:
        return self.engine.source_states() if self.engine else []

    def stop(self) -> list[str]:
        """Stop everything; the last status lines."""
        if self.engine is None:
            return []
        if self.reader is not None:
            self.reader.stop()
            self.reader = None
        self.engine.stop()
        self.alerts.stop()
        lines = self.engine.status_lines()
        self._fatal = self.engine.fatal
        self.engine = self.alerts = None
        return lines
