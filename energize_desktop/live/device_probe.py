"""Trying a Modbus device before it is saved: read every point of its template once and show
the raw registers beside the decoded value (so a wrong word order or scale is seen at once),
and scan a bus for the unit ids that answer."""

from __future__ import annotations

from dataclasses import dataclass

from energize_desktop.core.registers import decode
from energize_desktop.jobs.base import Job
from energize_desktop.live.modbus import LinkSettings, ModbusLink, ModbusReadError
from energize_desktop.live.modbus_poll import scan


@dataclass(frozen=True)
class ProbeRow:
    point: str
    address: int
    kind: str
    raw: str  # registers as hex words (or the bit)
    value: float | None
    unit: str
    error: str = ""


def probe(link_settings: LinkSettings, unit_id: int, template) -> list[ProbeRow]:
    link = ModbusLink(link_settings)
    rows = []
    try:
        for p in template.points:
            try:
                words = link.read(p.kind, p.address, p.count, unit_id)
            except ModbusReadError as exc:
                rows.append(ProbeRow(p.name, p.address, str(p.kind), "", None, p.unit, str(exc)))
                if "cannot connect" in str(exc):
                    break  # every other point would say the same
                continue
            raw = " ".join(f"{w:04X}" for w in words)
            value = decode(p, words)
            rows.append(ProbeRow(p.name, p.address, str(p.kind), raw,
                                 None if value != value else value, p.unit))
    finally:
        link.close()
    return rows


SCAN_TIMEOUT_S = 0.2  # a silent unit id costs this much: 247 of them under a minute


def scan_bus(link_settings: LinkSettings, first: int = 1, last: int = 247) -> list[int]:
    from dataclasses import replace

    link = ModbusLink(replace(link_settings, timeout_s=min(link_settings.timeout_s,
                                                          SCAN_TIMEOUT_S)))
    try:
        return scan(link, range(first, last + 1))
    finally:
        link.close()


def device_toml(bus_name: str, link: LinkSettings, device_name: str, unit_id: int,
                template_id: str, interval_s: float) -> str:
    """A [[modbus]] block with one device, ready to append to the connection settings."""
    def q(text: str) -> str:
        return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["[[modbus]]", f"name = {q(bus_name)}", f"transport = {q(link.transport)}"]
    if link.transport != "rtu":
        lines += [f"host = {q(link.host)}", f"port = {link.port}"]
    else:
        lines += [f"serial_port = {q(link.serial_port)}", f"baudrate = {link.baudrate}"]
    lines += [f"timeout_s = {link.timeout_s}", "", "[[modbus.devices]]",
              f"name = {q(device_name)}", f"unit_id = {unit_id}", f"template = {q(template_id)}",
              f"interval_s = {interval_s}"]
    return "\n".join(lines) + "\n"


class ProbeJob(Job):
    """Every point of a template read once from a device: `ProbeRow`s."""

    title = "Device check"

    def __init__(self, link: LinkSettings, unit_id: int, template):
        self.link, self.unit_id, self.template = link, unit_id, template

    def run(self, progress=None, cancelled=None) -> list[ProbeRow]:
        return probe(self.link, self.unit_id, self.template)


class ScanJob(Job):
    """The unit ids on a bus that answer."""

    title = "Bus scan"

    def __init__(self, link: LinkSettings, first: int = 1, last: int = 247):
        self.link, self.first, self.last = link, first, last

    def run(self, progress=None, cancelled=None) -> list[int]:
        return scan_bus(self.link, self.first, self.last)
