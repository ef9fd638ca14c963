"""Reports: choose the site, period, sections and paper; the report is built and written in the
background with progress, then opened with the system's viewer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from energize_desktop.reports.build import TITLES
from energize_desktop.reports.model import SECTIONS
from energize_desktop.ui.window_support import theme_colour


class ReportsPage(QWidget):
    generate_wanted = Signal(object)  # dict: site, period, template, out

    def __init__(self, dialogs, parent=None):
        super().__init__(parent)
        self.dialogs = dialogs
        self.site = QComboBox()
        self.period = QLineEdit(placeholderText="all data, or 2025, 2025-03, "
                                "2025-01-01..2025-07-01")
        self.baseline = QLineEdit(placeholderText="none: no savings; or e.g. 2024-01..2025-01")
        self.baseline.setToolTip("A baseline period before a change: the report then shows "
                                 "the savings of its period against it")
        self.author, self.organisation = QLineEdit(), QLineEdit()
        self.paper = QComboBox()
        self.paper.addItems(["A4", "Letter"])
        self.boxes = {}
        grid = QGridLayout()
        for i, key in enumerate(SECTIONS):
            box = QCheckBox(TITLES[key])
            box.setChecked(True)
            self.boxes[key] = box
            grid.addWidget(box, i // 2, i % 2)
        self.generate_button = QPushButton("Generate PDF…")
        self.generate_button.clicked.connect(self._generate)
        self.progress = QProgressBar()
        self.progress.hide()
        self.message = QLabel("")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Site", self.site)
        form.addRow("Period", self.period)
        form.addRow("Baseline period", self.baseline)
        form.addRow("Author", self.author)
        form.addRow("Organisation", self.organisation)
        form.addRow("Paper", self.paper)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Sections</b>"))
        layout.addLayout(grid)
        layout.addWidget(self.generate_button)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        self.folder_button = QPushButton("Open folder")
        self.folder_button.clicked.connect(self._open_folder)
        self.folder_button.hide()
        layout.addWidget(self.folder_button)
        layout.addStretch(1)

    def set_sites(self, names: list[str]) -> None:
        self.site.clear()
        self.site.addItems(names)

    def _generate(self) -> None:
        from energize_desktop.reports.build import Template

        out = self.dialogs.save_file("Save report", "PDF (*.pdf);;HTML (*.html)")
        if not out:
            return
        sections = tuple(k for k, box in self.boxes.items() if box.isChecked())
        if not sections:
            self.message.setText("Choose at least one section.")
            return
        template = Template(sections, self.organisation.text(), self.author.text(),
                            paper=self.paper.currentText(),
                            baseline_period=self.baseline.text().strip() or None)
        self.generate_button.setEnabled(False)
        self.progress.show()
        self.message.setText("Building the report…")
        self.generate_wanted.emit({"site": self.site.currentText() or None,
                                   "period": self.period.text().strip() or None,
                                   "template": template, "out": out})

    def show_progress(self, done: int, total: int, what: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.message.setText(f"Building: {what}")

    def finished(self, path: str, size: int) -> None:
        self.generate_button.setEnabled(True)
        self.progress.hide()
        self.written = path
        if self.dialogs.open_external(path):
            self.message.setText(f"Wrote {path} ({size / 1e6:.2f} MB)")
            self.folder_button.hide()
        else:  # no viewer on this machine: say where the file is, and offer its folder
            self.message.setText(f"Wrote {path} ({size / 1e6:.2f} MB). No viewer opened it "
                                 "on this computer: the file is in the folder below.")
            self.folder_button.setText(f"Open folder {Path(path).parent}")
            self.folder_button.show()

    def _open_folder(self) -> None:
        if getattr(self, "written", None):
            self.dialogs.open_external(str(Path(self.written).parent))

    def failed(self, message: str) -> None:
        self.generate_button.setEnabled(True)
        self.progress.hide()
        self.message.setText(f"<span style='color:{theme_colour('bad')}'>{message}</span>")
