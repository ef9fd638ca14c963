"""Import: pick files, preview what would be stored (a dry run: detected format, channels, units,
ranges, gaps, DST notes), adjust the site, time zone, date order and timestamp convention,
import in the background with progress and Cancel, and read the summary."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class ImportPage(QWidget):
    run_wanted = Signal(list, object, bool, str)  # paths, ImportOptions, preview, profile name
    cancel_wanted = Signal()

    def __init__(self, dialogs, parent=None):
        super().__init__(parent)
        self.dialogs = dialogs
        self.files = QListWidget()
        self.files.setAccessibleName("files to import")
        self.add_button = QPushButton("Add files…")
        self.add_button.clicked.connect(self._add)
        self.site = QComboBox(editable=True)
        self.site.setToolTip("An existing site, or a new name to create one")
        self.tz = QLineEdit(placeholderText="the site's (e.g. Europe/London)")
        self.date_order = QComboBox()
        self.date_order.addItems(["detect", "DMY", "MDY"])
        self.marks = QComboBox()
        self.marks.addItems(["detect", "start", "end"])
        self.marks.setToolTip("Does a timestamp mark the start or the end of its interval?")
        self.meter = QLineEdit(placeholderText="all series (or the one to import / its name)")
        self.units = QLineEdit(placeholderText="kWh, or per column: Import=kWh, Temp=°C")
        self.kind = QComboBox()
        self.kind.addItems(["detect", "electricity", "gas", "water", "heat", "pv",
                            "temperature", "other"])
        self.semantics = QComboBox()
        self.semantics.addItems(["detect", "interval", "cumulative", "instantaneous"])
        self.semantics.setToolTip("Interval amounts, a counter that counts up, or a sampled "
                                  "level (kW, °C)")
        self.decimal = QComboBox()
        self.decimal.addItems(["detect", ".", ","])
        self.conflict = QComboBox()
        self.conflict.addItems(["abort", "keep", "replace"])
        self.conflict.setToolTip("When a reading is already stored with a different value")
        self.repeated_hour = QCheckBox("Shift a repeated autumn hour given one UTC time")
        self.repeated_hour.setToolTip("A known export bug gives both readings of the hour the "
                                      "clocks go back the same UTC time, leaving the hour "
                                      "beside it empty: move each into that empty hour")
        self.profile = QComboBox(editable=True)
        self.profile.setToolTip("Use a saved CSV layout, or type a new name to save this one")
        self.preview_button, self.import_button = QPushButton("Preview"), QPushButton("Import")
        self.cancel_button = QPushButton("Cancel")
        self.preview_button.clicked.connect(lambda: self._run(True))
        self.import_button.clicked.connect(lambda: self._run(False))
        self.cancel_button.clicked.connect(self.cancel_wanted.emit)
        self.progress = QProgressBar()
        self.summary = QPlainTextEdit(readOnly=True)
        self.summary.setAccessibleName("import summary")
        self._layout()
        self.set_busy(False)

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow("Site", self.site)
        form.addRow("Time zone of naive timestamps", self.tz)
        form.addRow("Series (meter)", self.meter)
        form.addRow("Units", self.units)
        form.addRow("Meter kind", self.kind)
        form.addRow("Values are", self.semantics)
        form.addRow("Decimal mark", self.decimal)
        form.addRow("Date order", self.date_order)
        form.addRow("Timestamps mark", self.marks)
        form.addRow("On a differing stored value", self.conflict)
        form.addRow("", self.repeated_hour)
        form.addRow("CSV profile (use or save as)", self.profile)
        buttons = QHBoxLayout()
        for b in (self.preview_button, self.import_button, self.cancel_button):
            buttons.addWidget(b)
        left = QVBoxLayout()
        left.addWidget(self.add_button)
        left.addWidget(self.files)
        left.addLayout(form)
        left.addLayout(buttons)
        left.addWidget(self.progress)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(self.summary, 2)

    def set_profiles(self, names: list[str]) -> None:
        self.known_profiles = set(names)
        self.profile.clear()
        self.profile.addItems([""] + names)

    def set_sites(self, names: list[str]) -> None:
        self.site.clear()
        self.site.addItems(names)

    def _add(self) -> None:
        path = self.dialogs.open_file("Files to import", "Meter data (*.csv *.txt *.xml *.gz "
                                      "*.zip);;All files (*)")
        if path:
            self.files.addItem(path)

    def add_paths(self, paths: list[str]) -> None:
        """Files dropped on the window or opened from the desktop, each listed once."""
        listed = {self.files.item(i).text() for i in range(self.files.count())}
        for path in paths:
            if path not in listed:
                self.files.addItem(path)
                listed.add(path)

    def options(self):
        from energize_desktop.imports.channels import ChannelHints
        from energize_desktop.jobs.importer import ImportOptions

        pick = {"detect": None}
        profile = self.profile.currentText().strip()
        hints = ChannelHints(kind=pick.get(self.kind.currentText(), self.kind.currentText()),
                             semantics=pick.get(self.semantics.currentText(),
                                                self.semantics.currentText()))
        for item in (u.strip() for u in self.units.text().split(",") if u.strip()):
            if "=" in item:
                column, unit = item.rsplit("=", 1)
                hints.units[column.strip()] = unit.strip()
            else:
                hints.unit = item
        return ImportOptions(site=self.site.currentText().strip() or None,
                             meter=self.meter.text().strip() or None, hints=hints,
                             decimal=pick.get(self.decimal.currentText(),
                                              self.decimal.currentText()),
                             profile=profile if profile in getattr(self, "known_profiles",
                                                                   ()) else None,
                             tz=self.tz.text().strip() or None,
                             date_order=pick.get(self.date_order.currentText(),
                                                 self.date_order.currentText()),
                             ts_marks=pick.get(self.marks.currentText(),
                                               self.marks.currentText()),
                             on_conflict=self.conflict.currentText(),
                             repeated_hour="shift" if self.repeated_hour.isChecked() else None)

    def _run(self, preview: bool) -> None:
        paths = [self.files.item(i).text() for i in range(self.files.count())]
        if not paths:
            self.summary.setPlainText("Add a file first (CSV, Green Button XML, NEM12).")
            return
        options = self.options()
        options.dry_run = preview
        self.set_busy(True)
        self.summary.setPlainText("Previewing…" if preview else "Importing…")
        name = self.profile.currentText().strip()
        new_profile = "" if preview or name in getattr(self, "known_profiles", ()) else name
        self.run_wanted.emit(paths, options, preview, new_profile)

    def set_busy(self, busy: bool) -> None:
        for b in (self.preview_button, self.import_button, self.add_button):
            b.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)

    def show_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.setFormat(text[-60:])

    def show_outcome(self, outcome) -> None:
        self.set_busy(False)
        self.summary.setPlainText(outcome.summary())
        if not outcome.reports and not outcome.errors and not outcome.cancelled:
            self.summary.setPlainText("Nothing imported.")
