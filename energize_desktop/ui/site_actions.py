"""What the window does with sites: File › New asks for the site first (a wizard: name, zone,
country and holidays, floor area, building type; then import files or add a connection), and
Edit › Site properties edits it — recorded, and taken back by Edit › Undo."""

from __future__ import annotations

from pathlib import Path

from energize_desktop.ui.window_support import login_name


class SiteActions:
    """Mixed into MainWindow (its service, dialogs, pages, keys, status)."""

    def new_workspace(self) -> None:
        from energize_desktop.core.model import Site
        from energize_desktop.storage import Workspace
        from energize_desktop.storage.metadata import SITE_FUELS

        answer = self.dialogs.edit_site("New workspace: the building", {}, next_steps=True)
        if not answer:
            return
        path = self.dialogs.save_file("Save the new workspace as",
                                      "Energize workspace (*.energize)")
        if not path:
            return
        path = Path(path) if Path(path).suffix else Path(path).with_suffix(".energize")
        if path.exists():
            self.dialogs.error("New workspace", f"{path} already exists; open it instead")
            return
        then = answer.pop("then", "import")
        fuels = answer.pop("fuels", [])
        try:
            with Workspace.create(path) as ws:
                site = ws.add_site(Site(**answer))
                if fuels:
                    SITE_FUELS.set(ws, fuels, str(site.id))
        except Exception as exc:  # shown to the user; nothing half-made is left open
            path.unlink(missing_ok=True)
            self.dialogs.error("New workspace", str(exc))
            return
        if not self.open_path(path):
            return
        page = {"import": self.importer, "connect": self.connections}.get(then, self.overview)
        self.pages.setCurrentWidget(page)
        self.status.setText(f"{path.name}: site {answer['name']} ({answer['timezone']}); "
                            + {"import": "drop or add meter data files here",
                               "connect": "add a Modbus or MQTT device here"}.get(
                                   then, "import files or add connections when ready"))

    def current_site(self):
        """The site of the meter chosen in the tree, else the workspace's first site."""
        sites = self.service.sites()
        if not sites:
            return None
        if self._selected is not None:
            meter = self.service.ws.meter(self._selected)
            return next((s for s in sites if s.id == meter.site_id), sites[0])
        return sites[0]

    def edit_site(self) -> None:
        if not self._need_workspace():
            return
        site = self.current_site()
        if site is None:
            return
        values = {"name": site.name, "timezone": site.timezone, "country": site.country,
                  "subdivision": site.subdivision, "floor_area_m2": site.floor_area_m2,
                  "building_type": site.building_type, "address": site.address}
        answer = self.dialogs.edit_site(f"Site properties: {site.name}", values)
        if not answer:
            return
        changed = {k: v for k, v in answer.items() if v != values.get(k)}
        if not changed:
            self.status.setText(f"{site.name}: nothing changed")
            return
        try:
            done = self.service.set_site(site.id, changed, login_name())
        except Exception as exc:  # a check the form could not make (a duplicate name…)
            self.dialogs.error("Site properties", str(exc))
            return
        fields = ", ".join(c.field.replace("_m2", "").replace("_", " ") for c in done)
        renamed = "name" in changed
        self._site_edited(renamed)
        self.status.setText(f"{answer['name']}: {fields} saved (Edit › Undo takes it back)")

        def undo():
            self.service.undo_edit("site", site.id, login_name())
            self._site_edited(renamed)
            self.status.setText(f"{site.name}: the edit of {fields} undone")

        self.keys.push_undo(f"site properties ({site.name})", undo)

    def _site_edited(self, renamed: bool) -> None:
        """A name shows in the tree and the site pickers; zone, area and country in the
        overview's figures."""
        if renamed:
            names = [s.name for s in self.service.sites()]
            self.tree.populate(self.service.sites(), self.service.meters)
            for page in (self.importer, self.reports, self.connections):
                page.set_sites(names)
        self._request_overview()
