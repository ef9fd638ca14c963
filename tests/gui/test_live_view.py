"""The live view against a real Modbus server: a tile per device point with its value, unit and
age, grouped by device; when the device stops answering, its header and an offline banner say
so, the status bar says so once, and a no-data rule raises an alert in the window."""

import json

from energize_desktop.ui.dialogs import RecordingDialogs
from energize_desktop.ui.live_tiles import LiveTiles, SourceState, age_text
from tests.gui.test_pages import _opened


def test_tiles_age_with_the_clock_and_a_banner_names_an_offline_device(qtbot):
    from energize_desktop.core.model import Meter, MeterKind, Semantics

    now = [1_000.0]
    tiles = LiveTiles(clock=lambda: now[0])
    qtbot.addWidget(tiles)
    meters = [Meter("Board – Voltage L1", MeterKind.OTHER, "V", Semantics.INSTANTANEOUS, id=1,
                    source={"protocol": "modbus", "device": "Board"}),
              Meter("Board – Energy", MeterKind.ELECTRICITY, "kWh", Semantics.CUMULATIVE, id=2,
                    source={"protocol": "modbus", "device": "Board"}),
              Meter("Imported", MeterKind.ELECTRICITY, "kWh", Semantics.INTERVAL, id=3)]
    tiles.set_meters(meters)
    assert set(tiles.tiles) == {1, 2} and list(tiles.groups) == ["Board"]  # imported: no tile
    tiles.show_states([SourceState("Board", "online", 990.0)])
    tiles.show_readings({1: (999.0, 231.4, ""), 2: (999.0, 12_345.6, "4.20 kW")})
    assert tiles.tiles[1].value.text() == "231.4 V"
    assert tiles.tiles[2].value.text() == "12,346 kWh  (4.20 kW)"
    assert tiles.tiles[1].age.text() == "1 s ago"
    assert tiles.banner.isHidden() and tiles.headers["Board"].text().startswith("● online")
    now[0] = 1_180.0
    tiles.show_states([SourceState("Board", "offline", 1_100.0, "no response")])
    tiles.refresh()
    assert tiles.tiles[1].age.text() == "3 min ago"
    assert not tiles.banner.isHidden() and "Board is offline since" in tiles.banner.text()
    assert "(no response)" in tiles.headers["Board"].text()
    assert age_text(7_200) == "2.0 h ago"


def test_a_device_that_drops_is_shown_offline_said_once_and_alerted(qtbot, demo_copy):
    from energize_desktop.core.model import Site
    from energize_desktop.live.modbus_simulator import ModbusSimulator
    from energize_desktop.storage.alerts import AlertStore
    from tests.helpers import free_port

    sim = ModbusSimulator(free_port()).start()
    service, win = _opened(qtbot, demo_copy, RecordingDialogs())
    live_site = service.ws.add_site(Site("Live data", "UTC"))
    rule = {"name": "meter silent", "kind": "no-data", "limit": 0.02, "site_id": live_site.id}
    AlertStore(service.ws).add_rule("meter silent", json.dumps(rule), site_id=live_site.id)
    page = win.connections
    page.set_text(sim.config().dump())
    messages, alerts = [], []
    page.source_message.connect(messages.append)
    win.alert_tray.shown.connect(lambda title, text: alerts.append(title))
    stopped = False
    try:
        page.start_button.click()
        assert page.tabs.currentIndex() == 0  # the live values, once started
        qtbot.waitUntil(lambda: page.tiles.tiles and any(
            t.value.text() != "—" for t in page.tiles.tiles.values()), timeout=20_000)
        assert set(page.tiles.groups) == {"Main SDM630", "Roof inverter"}
        volts = next(t for t in page.tiles.tiles.values() if t.point.text() == "Voltage L1")
        qtbot.waitUntil(lambda: volts.value.text().endswith(" V"), timeout=20_000)
        qtbot.waitUntil(lambda: page.tiles.headers["Main SDM630"].text().startswith("● online"),
                        timeout=10_000)
        assert page.tiles.banner.isHidden()
        # the Overview open meanwhile stays the building's, as of its own latest reading
        win.pages.setCurrentWidget(win.overview)
        with qtbot.waitSignal(service.overview_ready, timeout=30_000):
            win._request_overview()
        heading = win.overview.heading.text()
        assert "Riverside Office" in heading and "2025" in heading, heading
        assert not any("nan" in win.overview.findings.item(i).text()
                       for i in range(win.overview.findings.count()))
        sim.stop()
        stopped = True
        qtbot.waitUntil(lambda: not page.tiles.banner.isHidden(), timeout=60_000)
        assert "Main SDM630 is offline since" in page.tiles.banner.text()
        assert page.tiles.headers["Main SDM630"].text().startswith("○ offline")
        down = [m for m in messages if "Main SDM630" in m]
        assert len(down) == 1 and "no readings from it are stored" in down[0]
        assert "⚠" in win.status.text()
        win.live.live.alerts.engine.tick()  # the alert timer's check, now rather than in 30 s
        qtbot.waitUntil(lambda: any("meter silent" in a for a in alerts), timeout=10_000)
    finally:
        page.stop_button.click()
        if not stopped:
            sim.stop()
    assert page.tiles.banner.isHidden()  # stopped: nothing is offline any more
    service.close()


def test_a_workspace_being_logged_opens_read_only_with_live_values(qtbot, tmp_path):
    from tests.integration.test_read_while_logging import logged

    with logged(tmp_path) as (path, _proc):
        service, win = _opened(qtbot, path, RecordingDialogs())
        assert service.ws.read_only and service.ws.shown_as == path and service.feed
        assert "read-only" in win.windowTitle()
        assert "Read-only: logged by process" in win.connections.message.text()
        page = win.connections
        assert not page.start_button.isEnabled()
        qtbot.waitUntil(lambda: any(t.value.text() != "—" for t in page.tiles.tiles.values()),
                        timeout=30_000)
        qtbot.waitUntil(lambda: page.tiles.headers["Main SDM630"].text().startswith("● online"),
                        timeout=30_000)
        assert any("stored" in page.devices.item(i).text() for i in range(page.devices.count()))
        assert win.edit_tariffs() is None and "Read-only" in win.status.text()  # no edits
        service.close()
        assert service.feed is None
