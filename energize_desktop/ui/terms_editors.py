"""The terms every cost and CO2e figure depends on, edited in the window: tariffs (JSON with
time-of-use windows, demand charges, a fixed daily charge, an export rate; a dynamic price
series attached from a CSV) and carbon factor sets (dated, sourced rows). Each is checked as
you type — a tariff's error names its path (`versions[0].rates[1].windows[0].from`), a
factor's its row — and kept by jobs.terms, exactly as the CLI keeps them."""

from __future__ import annotations

import json
from datetime import date

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)

from energize_desktop.ui.editor_base import EditorDialog, number

TEMPLATES = {
    "Flat rate": {"name": "Flat rate", "fuel": "electricity", "currency": "GBP",
                  "versions": [{"valid_from": "2025-01-01", "fixed_per_day": 0.60,
                                "export_per_kwh": 0.0, "rates": [{"name": "all day",
                                                                  "per_kwh": 0.25}]}]},
    "Time of use with demand": {
        "name": "Business TOU", "fuel": "electricity", "currency": "GBP",
        "holidays": {"country": "GB", "subdiv": "ENG"},
        "versions": [{"valid_from": "2025-01-01", "fixed_per_day": 1.25, "export_per_kwh": 0.05,
                      "rates": [{"name": "peak", "per_kwh": 0.36, "windows": [
                          {"days": "weekdays", "from": "16:00", "to": "19:00"}]},
                                {"name": "night", "per_kwh": 0.15, "windows": [
                                    {"from": "00:30", "to": "07:30"}]},
                                {"name": "day", "per_kwh": 0.25}],
                      "demand": [{"name": "capacity", "per_kw_month": 4.5}]}]},
    "Gas": {"name": "Gas", "fuel": "gas", "currency": "GBP",
            "versions": [{"valid_from": "2025-01-01", "fixed_per_day": 0.30,
                          "rates": [{"name": "gas", "per_kwh": 0.065}]}]},
}


def json_problem(text: str) -> tuple[dict | None, str | None]:
    """The JSON object typed, or where it stops being JSON (line and column)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"JSON, line {exc.lineno}, column {exc.colno}: {exc.msg}"
    if not isinstance(value, dict):
        return None, "JSON: expected one object { … } describing the tariff"
    return value, None


def tariff_summary(t) -> str:
    v = t.versions[-1]
    parts = [f"{t.fuel}, {len(t.versions)} version(s) from {t.versions[0].valid_from}, "
             f"{t.currency}", f"latest: {len(v.rates)} rate(s) "
             f"({', '.join(f'{r.name} {r.per_kwh:g}/kWh' for r in v.rates)})"]
    if v.demand:
        parts.append(", ".join(f"{d.name} {d.per_kw_month:g}/kW-month" for d in v.demand))
    parts.append(f"fixed {v.fixed_per_day:g}/day, export {v.export_per_kwh:g}/kWh")
    return "; ".join(parts)


class TariffEditor(EditorDialog):
    """Kept tariffs on the left (their fuel, the default marked); the chosen one's JSON on the
    right, checked as you type; Save keeps it (the first of its fuel becomes the default)."""

    def __init__(self, ws, parent=None, choose_file=None):
        super().__init__("Tariffs", parent)
        self.ws = ws
        self.choose_file = choose_file  # (title, filter) -> path or "": the window's dialogs
        self.on_undoable = None  # (label, undo) -> None: the window's Edit › Undo
        self.kept = QListWidget()
        self.kept.setAccessibleName("kept tariffs")
        self.kept.currentRowChanged.connect(self._show_kept)
        self.template = QComboBox()
        self.template.addItems(list(TEMPLATES))
        self.template.setAccessibleName("template")
        new = QPushButton("New from template")
        new.clicked.connect(lambda: self.set_definition(TEMPLATES[self.template.currentText()]))
        self.default_button = QPushButton("Make default for its fuel")
        self.default_button.clicked.connect(self.make_default)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove)
        self.prices_button = QPushButton("Dynamic prices…")
        self.prices_button.setToolTip("Attach a price series (day-ahead, Agile: timestamp,"
                                      "price_per_kwh every 15/30/60 min) to the chosen tariff; "
                                      "its rates price the steps outside it")
        self.prices_button.clicked.connect(lambda: self.attach_prices())
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("tariff (JSON)")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.textChanged.connect(self.check)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        for w in (self.template, new, self.default_button, self.prices_button,
                  self.remove_button):
            row.addWidget(w)
        split = QHBoxLayout()
        split.addWidget(self.kept, 2)
        split.addWidget(self.editor, 3)
        self.body.addLayout(row)
        self.body.addLayout(split)
        self.body.addWidget(self.summary)
        self.body.addWidget(self.message)
        self.resize(900, 560)
        self.refresh()
        if not self.kept.count():
            self.set_definition(TEMPLATES["Flat rate"])
        self.finish_layout()

    def refresh(self, select: str | None = None) -> None:
        from energize_desktop.jobs import ledger

        self.names = ledger.tariff_names(self.ws)
        self.kept.blockSignals(True)
        self.kept.clear()
        for name in self.names:
            t = ledger.load_tariff(self.ws, name)
            mark = " (default)" if ledger.default_tariff(self.ws, t.fuel) == name else ""
            self.kept.addItem(f"[{t.fuel}] {name}{mark}")
        self.kept.blockSignals(False)
        if self.names:
            self.kept.setCurrentRow(self.names.index(select) if select in self.names else 0)
            self._show_kept(self.kept.currentRow())

    def _show_kept(self, row: int) -> None:
        from energize_desktop.storage.energy_terms import TariffStore

        if 0 <= row < len(self.names):
            self.set_definition(TariffStore(self.ws).load(self.names[row]))

    def set_definition(self, definition: dict) -> None:
        self.editor.setPlainText(json.dumps(definition, indent=2))

    def problem(self) -> str | None:
        from energize_desktop.analytics.tariffs import parse_tariff
        from energize_desktop.core.errors import ValidationError

        definition, problem = json_problem(self.editor.toPlainText())
        if problem:
            self.summary.setText("")
            return problem
        try:
            t = parse_tariff(definition, "tariff")
        except ValidationError as exc:
            self.summary.setText("")
            return str(exc)
        self.summary.setText(tariff_summary(t))
        return None

    def save(self) -> None:
        from energize_desktop.core.errors import EnergizeError
        from energize_desktop.jobs.terms import keep_tariff

        if not self.check():
            return
        definition, _ = json_problem(self.editor.toPlainText())
        before = self._kept(definition.get("name"))
        try:
            t, chosen = keep_tariff(self.ws, definition, "tariff")
        except EnergizeError as exc:
            self.refused(exc)
            return
        self.refresh(select=t.name)
        self.message.setText(f"Kept {t.name!r}. " + (
            f"{t.fuel.capitalize()} is priced on it." if chosen == t.name else
            f"{t.fuel.capitalize()} stays priced on {chosen!r}: “Make default” to change."))
        self.saved = t.name
        self._undoable(f"tariff {t.name!r} kept", t.name, before)

    def _chosen(self) -> str | None:
        row = self.kept.currentRow()
        return self.names[row] if 0 <= row < len(self.names) else None

    def make_default(self) -> None:
        from energize_desktop.jobs import ledger

        name = self._chosen()
        if name:
            t = ledger.set_default_tariff(self.ws, name)
            self.refresh(select=name)
            self.message.setText(f"{t.fuel.capitalize()} is priced on {name!r} from now on")

    def attach_prices(self, path: str | None = None) -> int:
        """A price CSV attached to the chosen (kept) tariff; the prices stored."""
        from pathlib import Path

        from energize_desktop.core.errors import EnergizeError
        from energize_desktop.imports.price_csv import read_price_csv
        from energize_desktop.storage.energy_terms import TariffStore

        name = self._chosen()
        if not name:
            self.message.setText("Keep the tariff first, then attach its prices")
            return 0
        if path is None and self.choose_file is not None:
            path = self.choose_file("Dynamic prices for " + name, "CSV (*.csv);;All files (*)")
        if not path:
            return 0
        try:
            ts, price, step = read_price_csv(Path(path))
            n = TariffStore(self.ws).save_prices(name, ts, price, step)
        except EnergizeError as exc:
            self.refused(exc)
            return 0
        self.message.setText(f"{name!r}: {n:,} prices every {step // 60} min attached "
                             f"({Path(path).name}); its rates price the steps outside them")
        return n

    def remove(self) -> None:
        from energize_desktop.storage.energy_terms import TariffStore

        name = self._chosen()
        before = self._kept(name)
        if name and TariffStore(self.ws).remove(name):
            self.refresh()
            self.message.setText(f"Removed {name!r} (Edit › Undo brings it back)")
            self._undoable(f"removal of tariff {name!r}", name, before)

    def _kept(self, name) -> tuple | None:
        """A kept tariff as it stands — definition, prices, whether it is its fuel's default
        — for an undo; None when there is none of that name."""
        from energize_desktop.jobs import ledger
        from energize_desktop.storage.energy_terms import TariffStore

        if not name or name not in ledger.tariff_names(self.ws):
            return None
        store = TariffStore(self.ws)
        definition = store.load(name)
        fuel = ledger.load_tariff(self.ws, name).fuel
        return definition, store.prices(name), ledger.default_tariff(self.ws, fuel) == name

    def _undoable(self, label: str, name: str, before: tuple | None) -> None:
        """Edit › Undo puts the tariff back as it was (or removes one that was new)."""
        from energize_desktop.jobs import ledger
        from energize_desktop.storage.energy_terms import TariffStore

        if self.on_undoable is None:
            return

        def undo():
            store = TariffStore(self.ws)
            if before is None:
                store.remove(name)
                return
            definition, prices, was_default = before
            store.save(name, definition)
            if prices is not None:
                store.save_prices(name, *prices)
            if was_default:
                ledger.set_default_tariff(self.ws, name)

        self.on_undoable(label, undo)


FACTOR_COLUMNS = ("From", "To (blank: open)", "kg CO2e/kWh", "Source")
FACTOR_SETS = ("electricity", "gas", "heat", "oil")


class CarbonEditor(EditorDialog):
    """One factor set's dated rows in a table (add a row for each year's factor); a blank end
    runs to the next row's start. Every row needs its source (publisher, table, year)."""

    def __init__(self, ws, parent=None):
        from energize_desktop.storage.energy_terms import CarbonStore

        super().__init__("Carbon factors", parent)
        self.ws = ws
        self.on_undoable = None  # (label, undo) -> None: the window's Edit › Undo
        self.set_name = QComboBox(editable=True)
        self.set_name.setAccessibleName("factor set")
        self.set_name.addItems(list(dict.fromkeys([*FACTOR_SETS, *CarbonStore(ws).names()])))
        self.set_name.currentTextChanged.connect(self.load)
        self.table = QTableWidget(0, len(FACTOR_COLUMNS))
        self.table.setAccessibleName("factors")
        self.table.setHorizontalHeaderLabels(list(FACTOR_COLUMNS))
        self.table.horizontalHeader().setStretchLastSection(True)
        for c, width in enumerate((110, 130, 110)):
            self.table.setColumnWidth(c, width)
        self.table.setToolTip("From and To as YYYY-MM-DD (To is exclusive); kg CO2e per kWh; "
                              "the source: publisher, table and year")
        self.table.cellChanged.connect(lambda *_: self.check())
        add, drop = QPushButton("Add row"), QPushButton("Remove row")
        add.clicked.connect(self.add_row)
        drop.clicked.connect(lambda: self.table.removeRow(self.table.currentRow()) or
                             self.check())
        self.message = QLabel("")
        row = QHBoxLayout()
        row.addWidget(QLabel("Factor set (the fuel it counts)"))
        row.addWidget(self.set_name, 1)
        row.addWidget(add)
        row.addWidget(drop)
        self.body.addLayout(row)
        self.body.addWidget(self.table)
        self.body.addWidget(self.message)
        self.resize(760, 420)
        self.load(self.set_name.currentText())
        self.finish_layout()

    def load(self, name: str) -> None:
        from energize_desktop.storage.energy_terms import CarbonStore

        rows = CarbonStore(self.ws).factors(name) if name else []
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for r in rows:
            self.add_row([r["valid_from"], r["valid_to"] or "", f"{r['kg_per_kwh']:g}",
                          r["source"]])
        self.table.blockSignals(False)
        self.check()

    def add_row(self, cells=None) -> None:
        n = self.table.rowCount()
        self.table.insertRow(n)
        cells = cells if isinstance(cells, list) else [date.today().replace(
            month=1, day=1).isoformat(), "", "", ""]
        for c, text in enumerate(cells):
            self.table.setItem(n, c, QTableWidgetItem(str(text)))

    def rows(self) -> list[dict]:
        def cell(r, c):
            item = self.table.item(r, c)
            return item.text().strip() if item is not None else ""

        def kg(r):  # the number typed, or the text as typed for the check to name
            value = number(cell(r, 2))
            return cell(r, 2) if value is None else value

        return [{"valid_from": cell(r, 0), "valid_to": cell(r, 1) or None, "kg_per_kwh": kg(r),
                 "source": cell(r, 3)} for r in range(self.table.rowCount())]

    def problem(self) -> str | None:
        from energize_desktop.analytics.carbon import parse_factors
        from energize_desktop.core.errors import ValidationError

        if not self.set_name.currentText().strip():
            return "Factor set: name it (the fuel it counts, e.g. electricity)"
        for i, r in enumerate(self.rows()):
            try:
                parse_factors([r], "")
            except ValidationError as exc:
                return f"Row {i + 1}: {str(exc).split(': ', 1)[-1]}"
        return None

    def save(self) -> None:
        from energize_desktop.analytics.carbon import parse_factors
        from energize_desktop.core.errors import EnergizeError
        from energize_desktop.jobs.terms import keep_factors
        from energize_desktop.storage.energy_terms import CarbonStore

        if not self.check():
            return
        name = self.set_name.currentText().strip()
        before = CarbonStore(self.ws).factors(name)
        try:
            factors = keep_factors(self.ws, name, self.rows())
        except EnergizeError as exc:
            self.refused(exc)
            return
        self.load(name)
        self.message.setText(f"Kept {len(factors)} dated factor(s) for {name!r}")
        if self.on_undoable is not None:  # Edit › Undo: the rows as they were
            self.on_undoable(f"carbon factors {name!r}", lambda: CarbonStore(self.ws).save_factors(
                name, parse_factors(before, f"carbon factors {name!r}")))
