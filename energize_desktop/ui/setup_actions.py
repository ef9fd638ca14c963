"""Setting a workspace up without the CLI: Edit › Meter properties (recorded, Edit › Undo takes
it back), New virtual meter, Tariffs, Carbon factors and Alert rules — each an editor that
checks as you type; the Overview's cards open the editor of what they miss."""

from __future__ import annotations

from energize_desktop.ui.window_support import login_name


class SetupActions:
    """Mixed into MainWindow (its service, pages, keys, status, tree selection)."""

    def setup_actions(self) -> list:
        return [("&Meter properties…", "Ctrl+Shift+M", self.edit_meter),
                ("New &virtual meter…", "", self.new_virtual_meter),
                ("&Tariffs…", "Ctrl+Shift+T", self.edit_tariffs),
                ("&Carbon factors…", "", self.edit_factors),
                ("&Alert rules…", "Ctrl+Shift+A", self.edit_rules)]

    def open_editor(self, kind: str):
        if kind == "import":  # a new site's first step
            self.pages.setCurrentWidget(self.importer)
            return None
        return {"tariffs": self.edit_tariffs, "factors": self.edit_factors,
                "rules": self.edit_rules}[kind]()

    def _editor(self, dialog, on_close=None):
        """Shown window-modal without a nested event loop; `on_close` when it closes."""
        self.editor = dialog
        if on_close is not None:
            dialog.finished.connect(lambda _r: on_close())
        dialog.open()
        return dialog

    def _need_workspace(self) -> bool:
        if self.service.ws is None:
            self.status.setText("Open a workspace first (File › Open or New)")
            return False
        if self.service.ws.read_only:  # a logger's snapshot: it changes nothing
            self.status.setText("Read-only: another process (energize acquire) is logging this "
                                "workspace; stop it to edit meters, tariffs, factors or rules")
            return False
        return True

    def edit_meter(self):
        from energize_desktop.ui.meter_editor import MeterDialog

        if not self._need_workspace():
            return None
        if self._selected is None:
            self.status.setText("Choose a meter in the tree first")
            return None
        dialog = MeterDialog(self.service.ws, self.service.ws.meter(self._selected), self)
        dialog.edited.connect(self._meter_edited)
        return self._editor(dialog)

    def _meter_edited(self, meter_id: int, changed: dict) -> None:
        if not changed:
            self.status.setText("Meter properties: nothing changed")
            return
        try:
            done = self.service.set_meter(meter_id, changed, login_name())
        except Exception as exc:  # a check the form could not make
            self.dialogs.error("Meter properties", str(exc))
            return
        name = self.service.ws.meter(meter_id).name
        fields = ", ".join(c.field.replace("_", " ") for c in done)
        self._meters_edited()
        self.status.setText(f"{name}: {fields} saved (Edit › Undo takes it back)")

        def undo():
            self.service.undo_edit("meter", meter_id, login_name())
            self._meters_edited()
            self.status.setText(f"{name}: the edit of {fields} undone")

        self.keys.push_undo(f"meter properties ({name})", undo)

    def _meters_edited(self) -> None:
        """Names show in the tree and every meter picker; roles and parents in the totals
        (the workspace's catalog follows the edit itself: storage.changes, add_meter)."""
        self._refresh_meters()
        self._request_overview()

    def new_virtual_meter(self):
        from energize_desktop.ui.meter_editor import VirtualMeterDialog

        if not self._need_workspace():
            return None
        site = self.current_site()
        if site is None:
            self.status.setText("The workspace has no site yet (Edit › Site properties)")
            return None
        dialog = VirtualMeterDialog(self.service.ws, site, self)

        def made():
            if dialog.created is not None:
                self._meters_edited()
                self.status.setText(f"Virtual meter {dialog.created.name!r} created on "
                                    f"{site.name}")

        dialog.accepted.connect(made)
        return self._editor(dialog)

    def edit_tariffs(self):
        from energize_desktop.ui.terms_editors import TariffEditor

        if not self._need_workspace():
            return None
        editor = TariffEditor(self.service.ws, self, choose_file=self.dialogs.open_file)
        editor.on_undoable = self._undoable_term
        return self._editor(editor, self._request_overview)

    def edit_factors(self):
        from energize_desktop.ui.terms_editors import CarbonEditor

        if not self._need_workspace():
            return None
        editor = CarbonEditor(self.service.ws, self)
        editor.on_undoable = self._undoable_term
        return self._editor(editor, self._request_overview)

    def _undoable_term(self, label: str, undo) -> None:
        """A tariff or factor edit on Edit › Undo; the Overview's figures follow either way."""
        def undone():
            undo()
            self._request_overview()
            self.status.setText(f"Undone: {label}")

        self.keys.push_undo(label, undone)

    def edit_rules(self):
        from energize_desktop.ui.rule_editor import RuleEditor

        if not self._need_workspace():
            return None
        meter = self.service.ws.meter(self._selected) if self._selected is not None else None
        editor = RuleEditor(self.service.ws, meter, self)
        editor.on_undoable = self._undoable_term
        return self._editor(editor)
