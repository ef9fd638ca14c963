"""One time range for the Explorer, Shapes and Baselines pages, as in Grafana: presets (last
24 h, 7 d, 30 d, this month, last month, this year, last year, all), a from–to date picker, and
back / forward by one span. Times are the site's wall clock, as the charts' axes show it
(seconds of a naive local time read as UTC). "Last …" counts back from the latest reading,
not from today: a workspace of last year's bills is not empty on "last 30 days".

The range is kept per workspace (window.ini, keyed by the workspace's path)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)

PRESETS = ("Last 24 hours", "Last 7 days", "Last 30 days", "This month", "Last month",
           "This year", "Last year", "All", "Custom")


def _s(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()


def _month_start(day: date, back: int = 0) -> date:
    """The first of the month `back` months before `day`'s (after it when negative)."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def preset_range(name: str, first: date, last: date) -> tuple[date, date]:
    """[from, to) local days of a preset, `last` being the day of the latest reading."""
    end = last + timedelta(days=1)
    spans = {"Last 24 hours": 1, "Last 7 days": 7, "Last 30 days": 30}
    if name in spans:
        return end - timedelta(days=spans[name]), end
    if name == "This month":
        return _month_start(last), end
    if name == "Last month":
        return _month_start(last, 1), _month_start(last)
    if name == "This year":
        return date(last.year, 1, 1), end
    if name == "Last year":
        return date(last.year - 1, 1, 1), date(last.year, 1, 1)
    return first, end  # "All"


def shifted(start: date, end: date, direction: int) -> tuple[date, date]:
    """The same span one step earlier (-1) or later (+1); whole months move by months."""
    if start.day == 1 and end.day == 1 and (end.month != start.month or end.year != start.year):
        months = (end.year - start.year) * 12 + end.month - start.month
        a = _month_start(start, -direction * months)
        return a, _month_start(a, -months)
    span = end - start
    return start + direction * span, end + direction * span


class TimeRange(QWidget):
    changed = Signal(float, float)  # [start, end) in local wall-clock seconds

    def __init__(self, parent=None):
        super().__init__(parent)
        self._first = self._last = date.today()
        self.preset = QComboBox()
        self.preset.addItems(list(PRESETS))
        self.preset.setAccessibleName("time range")
        self.preset.setToolTip("The period the Explorer, Shapes and Baselines charts show; "
                               "\"last …\" counts back from the latest reading")
        self.start, self.end = QDateEdit(calendarPopup=True), QDateEdit(calendarPopup=True)
        for edit, name in ((self.start, "from"), (self.end, "to")):
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(f"time range {name}")
        self.back, self.forward = QToolButton(), QToolButton()
        self.back.setText("◀")
        self.back.setToolTip("One span earlier")
        self.forward.setText("▶")
        self.forward.setToolTip("One span later")
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        row.addWidget(QLabel("Time"))
        for w in (self.preset, self.back, self.start, QLabel("to"), self.end, self.forward):
            row.addWidget(w)
        row.addStretch(1)
        self.preset.currentTextChanged.connect(self._preset_chosen)
        self.start.dateChanged.connect(self._dates_edited)
        self.end.dateChanged.connect(self._dates_edited)
        self.back.clicked.connect(lambda: self.step(-1))
        self.forward.clicked.connect(lambda: self.step(1))

    # -- what the window tells it ---------------------------------------------------------------
    def set_data_span(self, first: date, last: date) -> None:
        """The workspace's first and last local day with readings (presets count from them)."""
        self._first, self._last = first, last

    def restore(self, text: str | None) -> None:
        """A kept range ("preset" or "Custom|YYYY-MM-DD|YYYY-MM-DD"); all the data when none
        was kept or it no longer parses (a first look at a workspace shows all of it)."""
        parts = (text or "").split("|")
        if parts[0] == "Custom" and len(parts) == 3:
            try:
                self._show("Custom", date.fromisoformat(parts[1]), date.fromisoformat(parts[2]))
                return
            except ValueError:
                pass
        self.choose(parts[0] if parts[0] in PRESETS[:-1] else "All")

    def saved(self) -> str:
        if self.preset.currentText() != "Custom":
            return self.preset.currentText()
        a, b = self.days()
        return f"Custom|{a.isoformat()}|{b.isoformat()}"

    # -- what the user does ---------------------------------------------------------------------
    def choose(self, preset: str) -> None:
        self._show(preset, *preset_range(preset, self._first, self._last))

    def step(self, direction: int) -> None:
        self._show("Custom", *shifted(*self.days(), direction))

    def set_days(self, start: date, end: date) -> None:
        """A range chosen elsewhere (a zoom on the chart): shown as Custom, not emitted."""
        self._show("Custom", start, end, emit=False)

    def days(self) -> tuple[date, date]:
        """[from, to) local days; the picker shows the last day included."""
        return self.start.date().toPython(), self.end.date().toPython() + timedelta(days=1)

    def seconds(self) -> tuple[float, float]:
        a, b = self.days()
        return _s(a), _s(b)

    def _preset_chosen(self, name: str) -> None:
        if name != "Custom" and not getattr(self, "_showing", False):
            self.choose(name)

    def _dates_edited(self, *_):
        if getattr(self, "_showing", False):
            return
        a, b = self.days()
        if b <= a:  # "to" before "from": the span becomes the one day chosen last
            b = a + timedelta(days=1)
        self._show("Custom", a, b)

    def _show(self, preset: str, start: date, end: date, emit: bool = True) -> None:
        self._showing = True
        try:
            self.preset.setCurrentText(preset)
            self.start.setDate(QDate(start.year, start.month, start.day))
            last = end - timedelta(days=1)
            self.end.setDate(QDate(last.year, last.month, last.day))
        finally:
            self._showing = False
        if emit:
            self.changed.emit(_s(start), _s(end))
