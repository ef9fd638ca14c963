"""A site described in the window: name, time zone (this computer's by default), country and
region for its public holidays, floor area and building type (its EUI benchmark), address.
Checked as you type — the first problem is said with the field it belongs to and OK stays
disabled until there is none. The same form is the first page of the new-workspace wizard and
the Site properties editor (whose edit is recorded and can be undone)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from energize_desktop.core.model import FUELS
from energize_desktop.ui.window_support import local_zone, theme_colour

BUILDING_TYPES = ("office", "retail", "school", "university", "hotel", "hospital",
                  "warehouse", "industrial", "restaurant", "data centre", "residential",
                  "leisure", "other")
LABELS = {"name": "Site name", "timezone": "Time zone", "country": "Country",
          "subdivision": "Region", "floor_area_m2": "Floor area", "building_type":
          "Building type", "address": "Address"}


def countries() -> list[tuple[str, str]]:
    """(ISO code, name) of every country with a public-holiday calendar, by name."""
    from holidays import registry

    found = {entry[1]: module.replace("_", " ").title()
             for module, entry in registry.COUNTRIES.items()}
    return sorted(found.items(), key=lambda item: item[1])


def _editable_combo(items, accessible: str) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(list(items))
    combo.setAccessibleName(accessible)
    completer = combo.completer() or QCompleter(list(items))
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    combo.setCompleter(completer)
    return combo


class SiteForm(QWidget):
    changed = Signal()  # any field edited (the problem is re-checked)

    def __init__(self, values: dict | None = None, parent=None):
        from zoneinfo import available_timezones

        super().__init__(parent)
        values = values or {}
        self._countries = countries()
        self.name = QLineEdit(values.get("name", ""))
        self.name.setAccessibleName(LABELS["name"])
        self.name.setPlaceholderText("e.g. Riverside Office")
        self.timezone = _editable_combo(sorted(available_timezones()), LABELS["timezone"])
        self.timezone.setCurrentText(values.get("timezone") or local_zone())
        self.country = _editable_combo(["(none)"] + [f"{code} — {name}" for code, name in
                                                     self._countries], LABELS["country"])
        self.subdivision = _editable_combo([], LABELS["subdivision"])
        self.country.currentTextChanged.connect(self._fill_subdivisions)
        self.country.setCurrentText(self._country_text(values.get("country", "")))
        self._fill_subdivisions()
        self.subdivision.setCurrentText(values.get("subdivision", "") or "(all of the country)")
        area = values.get("floor_area_m2")
        self.floor_area = QLineEdit("" if area is None else f"{area:g}")
        self.floor_area.setAccessibleName(LABELS["floor_area_m2"])
        self.floor_area.setPlaceholderText("m² of gross internal area (for EUI)")
        self.building_type = _editable_combo(BUILDING_TYPES, LABELS["building_type"])
        self.building_type.setCurrentText(values.get("building_type", "") or "office")
        self.address = QLineEdit(values.get("address", ""))
        self.address.setAccessibleName(LABELS["address"])
        self.problem_label = QLabel("")
        self.problem_label.setWordWrap(True)
        form = QFormLayout(self)
        for label, widget in ((LABELS["name"], self.name), (LABELS["timezone"], self.timezone),
                              (LABELS["country"], self.country),
                              (LABELS["subdivision"], self.subdivision),
                              (f"{LABELS['floor_area_m2']} (m²)", self.floor_area),
                              (LABELS["building_type"], self.building_type),
                              (LABELS["address"], self.address)):
            form.addRow(label, widget)
        form.addRow(self.problem_label)
        for edit in (self.name, self.floor_area, self.address):
            edit.textChanged.connect(self._changed)
        for combo in (self.timezone, self.country, self.subdivision, self.building_type):
            combo.currentTextChanged.connect(self._changed)
        self._changed()

    def _country_text(self, code: str) -> str:
        for c, name in self._countries:
            if c == code:
                return f"{c} — {name}"
        return code or "(none)"

    def _fill_subdivisions(self) -> None:
        import holidays

        code = self._code()
        keep = self.subdivision.currentText()
        self.subdivision.blockSignals(True)
        self.subdivision.clear()
        self.subdivision.addItem("(all of the country)")
        if code:
            self.subdivision.addItems(list(holidays.list_supported_countries().get(code, [])))
        self.subdivision.setCurrentText(keep or "(all of the country)")
        self.subdivision.blockSignals(False)

    def _code(self) -> str:
        text = self.country.currentText().strip()
        return "" if text in ("", "(none)") else text.split(" — ")[0].strip().upper()

    def values(self) -> dict:
        """The fields as jobs.describe.set_site takes them (floor area None when blank)."""
        sub = self.subdivision.currentText().strip()
        area = self.floor_area.text().strip().replace(",", "")
        return {"name": self.name.text().strip(), "timezone": self.timezone.currentText().strip(),
                "country": self._code(), "subdivision": "" if sub.startswith("(") else sub,
                "floor_area_m2": float(area) if _number(area) else None,
                "building_type": self.building_type.currentText().strip(),
                "address": self.address.text().strip()}

    def problem(self) -> str | None:
        """The first thing wrong, led by its field's label; None when the site can be saved."""
        from zoneinfo import available_timezones

        from energize_desktop.core.errors import ValidationError
        from energize_desktop.jobs.describe import check_holidays

        area = self.floor_area.text().strip().replace(",", "")
        if not self.name.text().strip():
            return f"{LABELS['name']}: give the site a name"
        if self.timezone.currentText().strip() not in available_timezones():
            return (f"{LABELS['timezone']}: {self.timezone.currentText()!r} is not a time zone "
                    "(expected an IANA name such as Europe/London)")
        if area and (not _number(area) or float(area) <= 0):
            return f"{LABELS['floor_area_m2']}: {area!r} is not a positive number of m²"
        values = self.values()
        try:
            check_holidays(values["country"], values["subdivision"])
        except ValidationError as exc:
            return f"{LABELS.get(exc.field or '', 'Country')}: {exc}"
        return None

    def _changed(self) -> None:
        problem = self.problem()
        self.problem_label.setText(problem or "")
        self.problem_label.setStyleSheet(f"color: {theme_colour('bad')}")
        self.changed.emit()


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


NEXT_STEPS = {"import": "Import meter data files (CSV, Green Button, NEM12…)",
              "connect": "Add a live connection (Modbus or MQTT)",
              "nothing": "Nothing yet: open the empty workspace"}


class SiteDialog(QDialog):
    """The form with OK (enabled only when the form has no problem) and Cancel; the wizard's
    flavour also asks what to do next."""

    def __init__(self, title: str, values: dict | None = None, next_steps: bool = False,
                 parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = SiteForm(values)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        self.steps: dict[str, QRadioButton] = {}
        self.fuels: dict[str, QCheckBox] = {}
        if next_steps:
            row = QHBoxLayout()
            row.addWidget(QLabel("<b>Fuels used</b>"))
            for fuel in FUELS:
                box = self.fuels[fuel] = QCheckBox(fuel)
                box.setChecked(fuel == "electricity")
                box.setToolTip("The Overview names a fuel of the site that has no tariff yet")
                row.addWidget(box)
            row.addStretch(1)
            layout.addLayout(row)
            layout.addWidget(QLabel("<b>Then</b>"))
            for key, text in NEXT_STEPS.items():
                self.steps[key] = QRadioButton(text)
                layout.addWidget(self.steps[key])
            self.steps["import"].setChecked(True)
        layout.addWidget(self.buttons)
        self.form.changed.connect(self._enable)
        self._enable()

    def _enable(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.form.problem() is None)

    def answer(self) -> dict:
        out = dict(self.form.values())
        if self.steps:
            out["then"] = next(k for k, b in self.steps.items() if b.isChecked())
            out["fuels"] = [f for f, b in self.fuels.items() if b.isChecked()]
        return out
