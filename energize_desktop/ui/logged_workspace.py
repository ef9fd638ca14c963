"""A workspace `energize acquire` holds, opened in the window: its snapshot, read-only, with the
logger's live values on the Connections page (tiles, chart, device states, the tree's lights)
as it commits them; acquisition from the window is off meanwhile (one process writes)."""

from __future__ import annotations

from energize_desktop.ui.window_support import theme_colour


def watch_logger(win, feed) -> None:
    page = win.connections
    page.set_meters(win.service.meters())
    page.set_running(False)
    page.start_button.setEnabled(False)
    page.start_button.setToolTip("The workspace is being logged by another process")
    page.message.setText(f"Read-only: logged by process {feed.client.pid} (energize acquire). "
                         "Its values arrive here as it commits them; open the workspace again "
                         "for a fresh copy of everything else.")
    page.message.setStyleSheet(f"color: {theme_colour('warn')};")
    win.setWindowTitle(f"{win.service.ws.shown_as.name} (read-only: being logged) — Energize")
    page.tabs.setCurrentIndex(0)
    page._ager.start()

    def lights(sources: list) -> None:
        win.tree.set_states({s["name"]: s["state"] for s in sources})

    feed.readings.connect(page.add_readings)
    feed.sources.connect(page.show_sources)
    feed.sources.connect(lights)
    feed.status.connect(page.show_status)
    feed.lost.connect(lambda why: win.status.setText(f"⚠ The logger stopped answering: {why}"))
    win.status.setText(f"{win.service.ws.shown_as.name}: read-only while energize acquire "
                       f"(process {feed.client.pid}) logs it; live values on the Connections "
                       "page")
