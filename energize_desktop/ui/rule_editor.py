"""Alert rules in the window: the kept rules (on or off), and a form for a new one or the one
chosen — meter, kind, limit with its unit, clearing level, pending time, severity — checked as
you type, and **tried on history** before it is kept: the alerts it would have raised over the
meter's last twelve months (jobs.rule_history, the same state machine the live engine runs)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
)

from energize_desktop.analytics.alert_rules import KINDS, SEVERITIES, Rule
from energize_desktop.ui.editor_base import EditorDialog, number

LIMIT_UNITS = {"above": "kW (energy meters) or the meter's unit", "below": "as above",
               "relative": "% against the usual for that hour of the week (−50 = half)",
               "rate": "the meter's unit per minute", "no-data": "minutes without a reading",
               "anomaly": "minimum anomaly score"}
YEAR_US = 365 * 86_400 * 1_000_000


class RuleEditor(EditorDialog):
    def __init__(self, ws, meter=None, parent=None):
        super().__init__("Alert rules", parent, save_text="Keep rule")
        self.ws = ws
        self.editing: int | None = None  # the id of the kept rule shown, if any
        self.on_undoable = None  # (label, undo) -> None: the window's Edit › Undo
        self.kept = QListWidget()
        self.kept.setAccessibleName("kept rules")
        self.kept.itemChanged.connect(self._toggled)
        self.kept.currentRowChanged.connect(self._show_kept)
        self.name, self.limit, self.clear, self.pending = (QLineEdit(), QLineEdit(),
                                                           QLineEdit(), QLineEdit("0"))
        self.meter, self.kind, self.severity = QComboBox(), QComboBox(), QComboBox()
        self.meters = [m for m in ws.meters() if m.enabled]
        for m in self.meters:
            self.meter.addItem(f"{ws.site_of(m).name} · {m.name}", m.id)
        if meter is not None:
            self.meter.setCurrentIndex(max(0, self.meter.findData(meter.id)))
        self.kind.addItems(list(KINDS))
        self.severity.addItems(list(SEVERITIES))
        self.severity.setCurrentText("warning")
        self.unit = QLabel("")
        self.limit.setPlaceholderText("the threshold")
        self.clear.setPlaceholderText("blank: clears back at the limit")
        new = QPushButton("New rule")
        new.clicked.connect(self.new_rule)
        self.try_button = QPushButton("Try on the last 12 months")
        self.try_button.clicked.connect(self.try_on_history)
        self.tried = QListWidget()
        self.tried.setAccessibleName("would have raised")
        form = QFormLayout()
        for label, widget in (("Name", self.name), ("Meter", self.meter), ("Kind", self.kind),
                              ("Limit", self.limit), ("", self.unit), ("Clears at", self.clear),
                              ("Pending (minutes)", self.pending),
                              ("Severity", self.severity)):
            form.addRow(label, widget)
            if label:
                widget.setAccessibleName(label)
        for edit in (self.name, self.limit, self.clear, self.pending):
            edit.textChanged.connect(self.check)
        for combo in (self.meter, self.kind, self.severity):
            combo.currentIndexChanged.connect(self.check)
        left = QHBoxLayout()
        left.addWidget(self.kept, 1)
        left.addLayout(form, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(new)
        buttons.addWidget(self.try_button)
        buttons.addStretch(1)
        self.body.addLayout(left)
        self.body.addLayout(buttons)
        self.body.addWidget(self.tried)
        self.message = QLabel("")
        self.body.addWidget(self.message)
        self.resize(860, 600)
        self.refresh()
        self.finish_layout()

    # -- kept rules -----------------------------------------------------------------------------
    def refresh(self) -> None:
        from energize_desktop.storage.alerts import AlertStore

        self.rows = AlertStore(self.ws).rule_rows()
        self.kept.blockSignals(True)
        self.kept.clear()
        for r in self.rows:
            item = QListWidgetItem(r["name"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if r["enabled"] else Qt.CheckState.Unchecked)
            item.setToolTip("Ticked: the rule is on")
            self.kept.addItem(item)
        self.kept.blockSignals(False)

    def _toggled(self, item) -> None:
        from energize_desktop.storage.alerts import AlertStore

        row = self.rows[self.kept.row(item)]
        on = item.checkState() == Qt.CheckState.Checked
        AlertStore(self.ws).set_enabled(row["id"], on)
        self.message.setText(f"{row['name']!r} is {'on' if on else 'off'}")
        if self.on_undoable is not None:
            self.on_undoable(f"rule {row['name']!r} switched {'on' if on else 'off'}",
                             lambda: AlertStore(self.ws).set_enabled(row["id"], not on))

    def _show_kept(self, index: int) -> None:
        if not 0 <= index < len(self.rows):
            return
        row = self.rows[index]
        rule = Rule.from_json(row["rule"], row["id"])
        self.editing = row["id"]
        self.name.setText(rule.name)
        if rule.meter_id is not None:
            self.meter.setCurrentIndex(max(0, self.meter.findData(rule.meter_id)))
        self.kind.setCurrentText(rule.kind)
        self.limit.setText(f"{rule.limit:g}")
        self.clear.setText("" if rule.clear is None else f"{rule.clear:g}")
        self.pending.setText(f"{rule.pending_s / 60:g}")
        self.severity.setCurrentText(rule.severity)
        self.save_button.setText("Save changes")

    def new_rule(self) -> None:
        self.editing = None
        self.kept.clearSelection()
        for edit in (self.name, self.limit, self.clear):
            edit.clear()
        self.pending.setText("0")
        self.save_button.setText("Keep rule")

    # -- the form -------------------------------------------------------------------------------
    def rule(self) -> Rule:
        """The rule as the form says (raises ValidationError naming the field)."""
        from energize_desktop.core.errors import ValidationError

        limit = number(self.limit.text())
        if limit is None:
            raise ValidationError(f"{self.limit.text()!r} is not a number", field="Limit")
        clear = number(self.clear.text()) if self.clear.text().strip() else None
        if self.clear.text().strip() and clear is None:
            raise ValidationError(f"{self.clear.text()!r} is not a number", field="Clears at")
        pending = number(self.pending.text() or "0")
        if pending is None or pending < 0:
            raise ValidationError(f"{self.pending.text()!r}: expected minutes ≥ 0",
                                  field="Pending")
        return Rule(self.name.text().strip() or "", self.kind.currentText(), limit, clear,
                    pending * 60, self.severity.currentText(), self.meter.currentData())

    def problem(self) -> str | None:
        from energize_desktop.core.errors import ValidationError

        self.unit.setText(LIMIT_UNITS.get(self.kind.currentText(), ""))
        if not self.name.text().strip():
            return "Name: give the rule a name (it heads every alert it raises)"
        if self.meter.currentData() is None:
            return "Meter: the workspace has no meter to watch"
        try:
            self.rule()
        except ValidationError as exc:
            field = (exc.field or "Rule").capitalize()
            return f"{field}: {str(exc).replace(f'alert rule {self.name.text()!r}: ', '')}"
        return None

    def _meter(self):
        return next(m for m in self.meters if m.id == self.meter.currentData())

    def try_on_history(self) -> list:
        """What the rule would have raised over the meter's last twelve months of data."""
        from energize_desktop.core.errors import EnergizeError
        from energize_desktop.core.instants import iso_local
        from energize_desktop.jobs.rule_history import try_rule

        self.tried.clear()
        if not self.check():
            return []
        meter = self._meter()
        summary = self.ws.queries.summaries().get(meter.id)
        if summary is None or summary.last is None:
            self.message.setText(f"{meter.name} has no readings to try the rule on")
            return []
        end = int(summary.last.timestamp() * 1_000_000)
        tz = self.ws.site_of(meter).timezone
        try:
            found = try_rule(self.ws, self.rule(), meter, end - YEAR_US, end)
        except EnergizeError as exc:
            self.message.setText(str(exc))
            return []
        for w in found:
            until = iso_local(w.end_us, tz) if w.end_us is not None else "still raised"
            self.tried.addItem(f"{iso_local(w.start_us, tz)} → {until}   worst "
                               f"{w.worst:,.1f} {w.unit}")
        self.message.setText(f"Over the last 12 months of {meter.name}'s data it would have "
                             f"raised {len(found)} alert(s)"
                             + (" — about one a week or more: consider a wider limit or a "
                                "pending time" if len(found) > 52 else ""))
        return found

    def save(self) -> None:
        from energize_desktop.core.errors import EnergizeError
        from energize_desktop.jobs.terms import keep_rule

        if not self.check():
            return
        before = next((r for r in self.rows if r["id"] == self.editing), None)
        try:
            rule = self.rule()
            rid = keep_rule(self.ws, rule, replacing=self.editing)
        except EnergizeError as exc:
            self.refused(exc)
            return
        self.refresh()
        ids = [r["id"] for r in self.rows]
        self.kept.setCurrentRow(ids.index(rid))
        self.message.setText(f"Kept {rule.name!r}: the live logger and the window's acquisition "
                             "check it from their next start")
        self._undoable(rule.name, rid, before)

    def _undoable(self, name: str, rid: int, before: dict | None) -> None:
        """Edit › Undo: a new rule removed (switched off if it raised an alert meanwhile), a
        changed one as it was."""
        from energize_desktop.storage.alerts import AlertStore

        if self.on_undoable is None:
            return

        def undo():
            store = AlertStore(self.ws)
            if before is None:
                if not store.remove_rule(rid):
                    store.set_enabled(rid, False)
            else:
                store.replace_rule(rid, before["rule"], before["meter_id"], before["site_id"],
                                   enabled=bool(before["enabled"]))

        self.on_undoable(f"alert rule {name!r}", undo)

