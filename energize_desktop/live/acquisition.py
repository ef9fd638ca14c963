"""The acquisition engine: sources on their own threads, one writer thread committing batches.

Pollers hand immutable batches to a queue; the writer thread commits what has arrived at least
every COMMIT_S seconds, so a reading is saved within about a second of being read. Shutdown is
ordered: stop the sources, commit what they delivered, flush the rollups.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass

import numpy as np

from energize_desktop.core.channels import meter_kind
from energize_desktop.core.errors import EnergizeError, ValidationError
from energize_desktop.core.model import Meter, MeterKind, Semantics
from energize_desktop.live import sunspec
from energize_desktop.live.modbus import ModbusLink
from energize_desktop.live.modbus_poll import BusPoller, DeviceConfig, PollBatch
from energize_desktop.live.mqtt import Message, MqttSource
from energize_desktop.live.mqtt_intake import MqttIntake
from energize_desktop.live.sources_config import BusSettings, SourcesConfig
from energize_desktop.live.templates import load_all
from energize_desktop.storage.api import WorkspaceAPI

log = logging.getLogger("energize.acquisition")
COMMIT_S = 0.25
MAX_WRITER_FAILURES = 5  # in a row without a commit between: then the engine gives up


@dataclass
class EngineStats:
    readings: int = 0
    batches: int = 0
    commits: int = 0


LIVE_SITE = "Live data"


def live_site(ws: WorkspaceAPI, config: SourcesConfig):
    """The site live meters go to: the one the connection file names (created, in this
    computer's zone, if missing); else the site already holding live meters; else a site of
    their own, "Live data" — never silently a building's site, whose totals they would join."""
    from energize_desktop.core.model import Site
    from energize_desktop.core.timezones import computer_zone

    name = config.site
    if name is None:
        holding = {m.site_id for m in ws.meters()
                   if (m.source or {}).get("protocol") in ("modbus", "mqtt")}
        if len(holding) == 1:
            return ws.site(holding.pop())
        name = LIVE_SITE
    for s in ws.sites():
        if s.name == name:
            return s
    return ws.add_site(Site(name, computer_zone()))


class AcquisitionEngine:
    def __init__(self, ws: WorkspaceAPI, config: SourcesConfig, site=None, templates=None, on_commit=None,
                 on_readings=None):
        self.ws, self.config = ws, config
        self.on_commit = on_commit  # called on the writer thread after each commit
        self.on_readings = on_readings  # (meter_ids, ts_us, values) just committed: alerting
        self.site = site or live_site(ws, config)
        self.templates = templates or load_all()
        self.pollers: list[BusPoller] = []
        self.brokers: dict[str, MqttSource] = {}
        self._intake: MqttIntake | None = None
        self.stats = EngineStats()
        self._queue: queue.Queue = queue.Queue()
        self._meter_ids: dict[tuple[str, str], int] = {}
        self._stop = threading.Event()
        self._writer_thread = threading.Thread(target=self._write_loop, name="energize-writer",
                                               daemon=True)
        self.fatal: str | None = None  # why the engine stopped storing, if it had to
        self.on_fatal = None  # called (on the writer thread) with that reason
        self.writer_failures = self.refused_polls = self._commits_at_failure = 0
        self.last_writer_error = ""
        self._held: list = []  # batches drained and not yet committed

    # -- starting -------------------------------------------------------------------------------
    def start(self) -> "AcquisitionEngine":
        for bus in self.config.modbus:
            devices = [self._device(bus, d) for d in bus.devices]
            devices = [d for d in devices if d is not None]
            if devices:
                self.pollers.append(BusPoller(bus.link, devices, self._queue.put))
        for broker in self.config.mqtt:
            self.brokers[broker.name] = MqttSource(broker, self._queue.put)
        self._intake = MqttIntake(self.ws, self.site, self.brokers)
        self._writer_thread.start()
        for p in self.pollers:
            p.start()
        for b in self.brokers.values():
            b.start()
        return self

    def _device(self, bus: BusSettings, d) -> DeviceConfig | None:
        if d.template == "sunspec":
            points = self._sunspec_points(bus, d)
            kind, delay = MeterKind.PV, 0
            if points is None:
                return None
        else:
            template = self.templates.get(d.template)
            if template is None:
                raise EnergizeError(f"device {d.name!r}: no template {d.template!r}; "
                                    f"templates: {', '.join(sorted(self.templates))}")
            points, kind, delay = template.points, template.meter_kind, template.min_interval_ms
        existing = {m.name: m for m in self.ws.meters(self.site)}
        new = [self._meter(d, p, kind) for p in points
               if f"{d.name} – {p.name}" not in existing]
        for m in self.ws.add_meters(new) if new else []:
            existing[m.name] = m
        for p in points:
            self._meter_ids[(d.name, p.name)] = existing[f"{d.name} – {p.name}"].id
        return DeviceConfig(d.name, d.unit_id, tuple(points), d.interval_s, d.retries,
                            d.min_interval_ms if d.min_interval_ms is not None else delay,
                            d.timeout_s)

    def _sunspec_points(self, bus: BusSettings, d):
        link = ModbusLink(bus.link)
        try:
            device = sunspec.discover(link, d.unit_id)
            log.info("%s: SunSpec %s", d.name, device.describe())
            return tuple(p for _, p in sunspec.points(link, d.unit_id, device))
        except EnergizeError as exc:
            log.error("%s: SunSpec discovery failed: %s", d.name, exc)
            return None
        finally:
            link.close()

    def _meter(self, d, point, kind: MeterKind) -> Meter:
        """The meter a point feeds (not yet stored)."""
        name = f"{d.name} – {point.name}"
        return Meter(
            name, meter_kind(point.name, point.unit, device_kind=kind), point.unit,
            Semantics(point.semantics), site_id=self.site.id,
            interval_s=max(1, round(d.interval_s)),
            source={"protocol": "modbus", "device": d.name, "unit_id": d.unit_id,
                    "point": point.name, "address": point.address, "register": str(point.kind)})

    # -- writing --------------------------------------------------------------------------------
    def _write_loop(self) -> None:
        """The writer thread, supervised: an unexpected failure is logged with its traceback
        once, the batches it held go back to the front of the line, and it starts again after a
        backoff (1, 2, 4 … 30 s). After MAX_WRITER_FAILURES in a row without a commit, the engine
        gives up: `fatal` says why and the sources stop (`energize acquire` exits non-zero)."""
        failures = 0
        while True:
            try:
                self._write_until_stopped()
                return
            except Exception as exc:  # the writer must never die silently
                failures = 0 if self.stats.commits > self._commits_at_failure else failures
                self._commits_at_failure = self.stats.commits
                failures += 1
                self.writer_failures += 1
                if failures == 1:
                    log.error("writer: %s (retrying)", exc, exc_info=True)
                self.last_writer_error = f"{type(exc).__name__}: {exc}"
                if failures >= MAX_WRITER_FAILURES:
                    self._give_up()
                    return
                self._stop.wait(min(30.0, 2.0 ** (failures - 1)))

    def _give_up(self) -> None:
        self.fatal = (f"the writer failed {MAX_WRITER_FAILURES} times in a row "
                      f"({self.last_writer_error}); {sum(_size(b) for b in self._held):,} "
                      "readings not stored, none of them acknowledged")
        log.critical("%s", self.fatal)
        if self.on_fatal:
            self.on_fatal(self.fatal)
        for b in self.brokers.values():
            b.pause()  # what the broker still holds stays there for the next run
        for p in self.pollers:
            p.stop(timeout=0)
        self._stop.set()

    def _write_until_stopped(self) -> None:
        writer = self.ws.writer()
        while True:
            stopping = self._stop.wait(COMMIT_S) if not self._held else self._stop.is_set()
            self._held += self._drain()  # if the commit raises, they are tried again
            if self._held:
                self._commit(writer, self._held)
            self._held = []
            if stopping and self._queue.empty():
                return

    def _drain(self) -> list[PollBatch]:
        out = []
        while True:
            try:
                out.append(self._queue.get_nowait())
            except queue.Empty:
                return out

    def _commit(self, writer, batches: list) -> None:
        """One commit for all the batches; if their data is refused (a value the store cannot
        hold), each message and poll is committed alone and the refused ones are counted and
        skipped (their messages acknowledged, so the broker never sends them again)."""
        messages = [b for b in batches if isinstance(b, Message)]
        ids, ts, values, acks = self._intake.readings(messages) if messages else ([], [], [],
                                                                                  [])
        polls = [b for b in batches if isinstance(b, PollBatch)]
        for b in polls:
            self._poll_rows(b, ids, ts, values)
        try:
            self._append(writer, ids, ts, values)
        except ValidationError:
            ids, ts, values = self._one_by_one(writer, messages, polls)
        self._intake.ack(acks)  # only now: the readings are committed
        if self.on_readings and ids:
            self.on_readings(np.array(ids, np.int32), np.array(ts, np.int64),
                             np.array(values, np.float64))
        self.stats.readings += len(ids)
        self.stats.batches += len(batches)
        self.stats.commits += 1
        if self.on_commit:
            self.on_commit(self.stats)

    def _poll_rows(self, b: PollBatch, ids, ts, values) -> None:
        for name, value in b.values:
            ids.append(self._meter_ids[(b.device, name)])
            ts.append(b.ts_us)
            values.append(value)

    @staticmethod
    def _append(writer, ids, ts, values) -> None:
        if ids:
            writer.append({"meter_id": np.array(ids, np.int32), "ts": np.array(ts, np.int64),
                           "value": np.array(values, np.float64)})

    def _one_by_one(self, writer, messages: list, polls: list):
        """Each message and poll in its own commit; what the store refuses is counted."""
        kept: tuple[list, list, list] = ([], [], [])
        for msg in messages:
            rows = self._intake.readings([msg])[:3]
            try:
                self._append(writer, *rows)
            except ValidationError as exc:
                self._intake.refused(msg, str(exc))
                continue
            for out, part in zip(kept, rows):
                out.extend(part)
        for b in polls:
            rows: tuple[list, list, list] = ([], [], [])
            self._poll_rows(b, *rows)
            try:
                self._append(writer, *rows)
            except ValidationError as exc:
                self.refused_polls += 1
                log.error("%s: poll refused by the store: %s", b.device, exc)
                continue
            for out, part in zip(kept, rows):
                out.extend(part)
        return kept

    # -- stopping and status --------------------------------------------------------------------
    def stop(self) -> None:
        """Stop the sources, commit everything they delivered, flush the rollups."""
        for b in self.brokers.values():
            b.pause()  # what arrives from now on is not acknowledged: the broker keeps it
        for p in self.pollers:
            p.stop()
        self._stop.set()
        if self._writer_thread.is_alive():
            self._writer_thread.join(30)  # the last commit, then its acknowledgements
        for b in self.brokers.values():
            b.stop()
        try:
            self.ws.writer().close()
        except Exception as exc:  # the rollups are rebuilt from the readings on the next open
            log.error("closing the writer: %s", exc)
            self.fatal = self.fatal or f"the last rollups could not be stored ({exc})"

    def states(self) -> dict[str, str]:
        """Device or broker name -> its state (online, retrying, offline, connected…)."""
        out = {}
        for p in self.pollers:
            out.update({name: s.state for name, s in p.status().items()})
        out.update({name: b.status.state for name, b in self.brokers.items()})
        return out

    def source_states(self) -> list[dict]:
        """Each device and broker: name, state, since (wall-clock s of its last change) and
        the last error — what the window's tiles and offline banner show."""
        out = []
        for p in self.pollers:
            out += [{"name": name, "state": s.state, "since": s.since, "error": s.last_error}
                    for name, s in p.status().items()]
        out += [{"name": name, "state": b.status.state, "since": b.status.since,
                 "error": b.status.last_error} for name, b in self.brokers.items()]
        return out

    def status_lines(self) -> list[str]:
        lines = []
        for p in self.pollers:
            for name, s in p.status().items():
                lines.append(f"{p.settings.label} · {name}: {s.text()} — {s.polls} polls, "
                             f"{s.failures} failures")
        for name, b in self.brokers.items():
            s = b.status
            bad = f" ({s.bad_text()})" if s.bad else ""
            lines.append(f"mqtt {name}: {s.text()} — {s.messages} messages, {s.bad} bad{bad}")
        lines.append(f"stored {self.stats.readings:,} readings in {self.stats.commits:,} commits")
        if self.fatal:
            lines.append(f"STOPPED: {self.fatal}")
        elif self.writer_failures:
            lines.append(f"writer restarted {self.writer_failures} time(s); last: "
                         f"{self.last_writer_error}")
        return lines

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def wait_until(deadline: float, stop: threading.Event, every: float, tick) -> None:
    """Call tick() every `every` seconds until the deadline or until `stop` is set."""
    next_tick = time.monotonic() + every
    while not stop.is_set():
        now = time.monotonic()
        if now >= deadline:
            return
        if stop.wait(min(deadline, next_tick) - now):
            return
        if time.monotonic() >= next_tick:
            tick()
            next_tick += every


def _size(batch) -> int:
    return len(batch.values) if isinstance(batch, PollBatch) else 1
