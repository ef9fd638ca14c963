"""`energize acquire` (a headless logger) and `energize simulate` (a site to practise on)."""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path

from energize_desktop.cli.common import command
from energize_desktop.storage.metadata import CONNECTIONS


def add_parsers(sub) -> None:
    acq = command(sub, "acquire", acquire, help="log meters to a workspace without a window")
    acq.add_argument("--config", "-c", type=Path,
                     help="connection file (TOML); kept in the workspace for the next run")
    acq.add_argument("--site", "-s", help="site name or id (default: the only one)")
    acq.add_argument("--duration", type=float, help="stop after this many seconds")
    acq.add_argument("--status-every", type=float, default=60.0, metavar="SECONDS")
    con = command(sub, "connections", connections, help="show, import or export the kept connections")
    group = con.add_mutually_exclusive_group()
    group.add_argument("--import", dest="import_file", type=Path, metavar="FILE",
                       help="keep this connection file (TOML) in the workspace")
    group.add_argument("--export", dest="export_file", type=Path, metavar="FILE",
                       help="write the kept connections to FILE (TOML; - for stdout)")
    sim = command(sub, "simulate", simulate, workspace=False, help="serve a simulated SDM630 and SunSpec inverter")
    sim.add_argument("--modbus-port", type=int, default=5020)
    sim.add_argument("--mqtt-broker", metavar="HOST:PORT",
                     help="also publish a Tasmota plug and a Shelly relay through this broker")
    sim.add_argument("--write-config", type=Path, metavar="FILE",
                     help="write a connection file for `energize acquire --config`")
    sim.add_argument("--duration", type=float, help="stop after this many seconds")


def acquire(args) -> int:
    from energize_desktop.core.model import Site
    from energize_desktop.live.acquisition import wait_until
    from energize_desktop.live.session import LiveAcquisition
    from energize_desktop.storage import Workspace

    ws = Workspace.open(args.workspace) if args.workspace.exists() else \
        Workspace.create(args.workspace)
    with ws:
        config = _connections(ws, args.config)
        if not ws.sites():
            ws.add_site(Site(args.site or "Site", "UTC"))
        stop = _stop_on_signals()
        live = LiveAcquisition(ws, config, site=ws.site(args.site), on_alert=_print_alert,
                               on_fatal=lambda _why: stop.set())
        live.start()
        print(f"alert rules: {len(live.alerts.engine.rules)}, notification channels: "
              f"{len(live.alerts.engine.notifiers)}", flush=True)
        deadline = time.monotonic() + (args.duration if args.duration else 10**12)
        try:
            wait_until(deadline, stop, args.status_every, lambda: _print(live.status_lines()))
        finally:
            _print(live.stop())
    if live.fatal:  # a service manager restarts us; the broker kept what was not stored
        print(f"energize: error: acquisition stopped: {live.fatal}", file=sys.stderr)
        return 3
    return 0


def connections(args) -> int:
    """Connection settings travel as TOML; passwords never do (they live in the keyring)."""
    from energize_desktop.storage import Workspace

    with Workspace.open(args.workspace) as ws:
        if args.import_file:
            config = _connections(ws, args.import_file)
            print(f"kept {len(config.modbus)} Modbus bus(es) and {len(config.mqtt)} MQTT "
                  f"broker(s) from {args.import_file} in {args.workspace}")
            return 0
        text = _connections(ws, None).dump()
    if args.export_file and str(args.export_file) != "-":
        args.export_file.write_text(text, encoding="utf-8")
        print(f"wrote {args.export_file}")
    else:
        sys.stdout.write(text)
    return 0


def simulate(args) -> int:
    from energize_desktop.live.modbus_simulator import ModbusSimulator

    sim = ModbusSimulator(args.modbus_port).start()
    config, mqtt_sim = sim.config(), None
    if args.mqtt_broker:
        from energize_desktop.live.mqtt_simulator import MqttSimulator

        host, _, port = args.mqtt_broker.rpartition(":")
        mqtt_sim = MqttSimulator(host or "127.0.0.1", int(port)).start()
        config.mqtt.append(mqtt_sim.settings())
        print(f"MQTT: Tasmota plug and Shelly relay publishing through {args.mqtt_broker}")
    if args.write_config:
        args.write_config.write_text(config.dump())
        print(f"wrote {args.write_config}")
    print(f"Modbus TCP on 127.0.0.1:{args.modbus_port}: unit 1 Eastron SDM630 (input registers), "
          "unit 2 SunSpec inverter at 40000; Ctrl-C to stop", flush=True)
    stop = _stop_on_signals()
    stop.wait(args.duration if args.duration else None)
    if mqtt_sim:
        mqtt_sim.stop()
    sim.stop()
    return 0


def _connections(ws, path):
    """The connection file given (then kept in the workspace), or the one kept there."""
    from energize_desktop.live.session import kept_connections
    from energize_desktop.live.sources_config import SourcesConfig

    if path is None:
        return kept_connections(ws)
    config = SourcesConfig.load(path)
    CONNECTIONS.set(ws, config.dump())
    return config


def _print(lines: list[str]) -> None:
    stamp = time.strftime("%H:%M:%S")
    for line in lines:
        print(f"{stamp} {line}", flush=True)


def _print_alert(alert: dict) -> None:
    print(f"{time.strftime('%H:%M:%S')} ALERT #{alert['id']} [{alert['severity']}] "
          f"{alert.get('meter') or '-'}: {alert['message']}", flush=True)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    return stop


if __name__ == "__main__":
    sys.exit("use: energize acquire | energize simulate")
