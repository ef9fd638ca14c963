"""A meter's properties (name, fuel, role, parent, calorific value, enabled; a virtual meter's
formula) and a new virtual meter — checked as you type by the same jobs.describe checks the CLI
uses, so the window refuses exactly what `energize meter set` would."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLineEdit

from energize_desktop.core.model import FUELS, Role
from energize_desktop.ui.editor_base import EditorDialog, number

LABELS = {"name": "Name", "fuel": "Fuel", "role": "Role", "parent": "Parent meter",
          "calorific": "Calorific value", "calorific_kwh_per_m3": "Calorific value",
          "formula": "Formula", "enabled": "Enabled"}
ROLE_TEXT = {"auto": "auto (as its kind and parent say)", **{r.value: r.value for r in Role}}


class MeterDialog(EditorDialog):
    """Emits `edited(meter_id, changed values)` on Save with only the fields that changed."""

    edited = Signal(int, dict)

    def __init__(self, ws, meter, parent=None):
        super().__init__(f"Meter properties: {meter.name}", parent)
        self.ws, self.meter = ws, meter
        self.name = QLineEdit(meter.name)
        self.fuel = QComboBox()
        self.fuel.addItems(list(FUELS))
        self.fuel.setCurrentText(meter.fuel or "electricity")
        self.fuel.setEnabled(bool(meter.fuel))  # a temperature or cost channel has no fuel
        self.role = QComboBox()
        for value, text in ROLE_TEXT.items():
            self.role.addItem(text, value)
        self.role.setCurrentIndex(max(0, self.role.findData(meter.role or "auto")))
        self.parent_meter = QComboBox()
        self.parent_meter.addItem("(none)", "")
        for m in ws.meters(ws.site_of(meter)):
            if m.id != meter.id and m.amount_unit == meter.amount_unit and m.amount_unit:
                self.parent_meter.addItem(m.name, str(m.id))
        self.parent_meter.setCurrentIndex(max(0, self.parent_meter.findData(
            "" if meter.parent_id is None else str(meter.parent_id))))
        cv = meter.calorific_kwh_per_m3
        self.calorific = QLineEdit("" if cv is None else f"{cv:g}")
        self.calorific.setPlaceholderText("kWh per m³ (gas by volume, e.g. 11.2)")
        self.enabled = QCheckBox("counted in totals, detection and acquisition")
        self.enabled.setChecked(meter.enabled)
        self.formula = QLineEdit(self._formula_text())
        self.formula.setPlaceholderText("e.g. Main incomer - Server room")
        form = QFormLayout()
        rows = [("name", self.name), ("fuel", self.fuel), ("role", self.role),
                ("parent", self.parent_meter)]
        if meter.unit in ("m3", "m³") or meter.fuel == "gas":
            rows.append(("calorific", self.calorific))
        if meter.formula:
            rows.append(("formula", self.formula))
        rows.append(("enabled", self.enabled))
        for key, widget in rows:
            form.addRow(LABELS[key], widget)
            widget.setAccessibleName(LABELS[key])
        self.body.addLayout(form)
        for edit in (self.name, self.calorific, self.formula):
            edit.textChanged.connect(self.check)
        for combo in (self.fuel, self.role, self.parent_meter):
            combo.currentIndexChanged.connect(self.check)
        self.finish_layout()

    def _formula_text(self) -> str:
        if not self.meter.formula:
            return ""
        from energize_desktop.jobs.virtual import formula_text

        return formula_text(self.ws, self.meter)

    def values(self) -> dict:
        """Every field as jobs.describe.set_meter takes it."""
        out = {"name": self.name.text().strip(), "role": self.role.currentData(),
               "parent": self.parent_meter.currentData(), "enabled": self.enabled.isChecked()}
        if self.fuel.isEnabled():
            out["fuel"] = self.fuel.currentText()
        if self.calorific.text().strip():
            out["calorific_kwh_per_m3"] = number(self.calorific.text())
        if self.meter.formula:
            out["formula"] = self.formula.text().strip()
        return out

    def changed(self) -> dict:
        before = {"name": self.meter.name, "role": self.meter.role or "auto",
                  "parent": "" if self.meter.parent_id is None else str(self.meter.parent_id),
                  "enabled": self.meter.enabled, "fuel": self.meter.fuel,
                  "calorific_kwh_per_m3": self.meter.calorific_kwh_per_m3,
                  "formula": self._formula_text()}
        return {k: v for k, v in self.values().items() if v != before.get(k)}

    def problem(self) -> str | None:
        from energize_desktop.core.errors import ValidationError
        from energize_desktop.jobs.describe import meter_changes

        if self.calorific.text().strip() and not (number(self.calorific.text()) or 0) > 0:
            return f"{LABELS['calorific']}: {self.calorific.text()!r} is not a positive kWh per m³"
        taken = {m.name for m in self.ws.meters(self.ws.site_of(self.meter))
                 if m.id != self.meter.id}
        if self.name.text().strip() in taken:
            return f"{LABELS['name']}: another meter on this site is called that"
        try:
            meter_changes(self.ws, self.meter, self.changed())
        except ValidationError as exc:
            return f"{LABELS.get(exc.field or '', 'Meter')}: {exc}"
        return None

    def save(self) -> None:
        if self.check():
            self.edited.emit(self.meter.id, self.changed())
            self.accept()


class VirtualMeterDialog(EditorDialog):
    """A new virtual meter: its name and formula (`A + B - 0.5 * C`), checked as you type."""

    def __init__(self, ws, site, parent=None):
        super().__init__(f"New virtual meter on {site.name}", parent, save_text="Create")
        self.ws, self.site = ws, site
        self.created = None  # the meter, once made
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Landlord supply")
        self.formula = QLineEdit()
        self.formula.setPlaceholderText("e.g. Main incomer - Server room - 0.5 * Lighting")
        self.formula.setToolTip("Meters of this site by name, added or subtracted, each "
                                "optionally scaled; every term in the same unit")
        form = QFormLayout()
        for label, widget in (("Name", self.name), ("Formula", self.formula)):
            form.addRow(label, widget)
            widget.setAccessibleName(label)
            widget.textChanged.connect(self.check)
        self.body.addLayout(form)
        self.finish_layout()

    def problem(self) -> str | None:
        from energize_desktop.core.errors import EnergizeError
        from energize_desktop.jobs.virtual import resolve

        name = self.name.text().strip()
        if not name:
            return "Name: give the virtual meter a name"
        if name in {m.name for m in self.ws.meters(self.site)}:
            return "Name: a meter on this site is called that already"
        if not self.formula.text().strip():
            return "Formula: write the meters it adds and subtracts"
        try:
            _, terms = resolve(self.ws, self.site, self.formula.text())
        except EnergizeError as exc:
            return f"Formula: {exc}"
        return None

    def save(self) -> None:
        from energize_desktop.core.errors import EnergizeError
        from energize_desktop.jobs.virtual import add_virtual

        if not self.check():
            return
        try:
            self.created = add_virtual(self.ws, self.name.text().strip(), self.formula.text(),
                                       self.site.id)
        except EnergizeError as exc:
            self.refused(exc)
            return
        self.accept()
