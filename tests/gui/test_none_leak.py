"""PySide6 6.12.0 on Python 3.11 drops a reference to None on every Qt call returning nothing;
a pyqtgraph window then dies with 'Fatal Python error: none_dealloc'. Fail if that comes back."""

import sys

from PySide6.QtWidgets import QWidget


def test_void_qt_calls_do_not_leak_references_to_none(qapp):
    widget = QWidget()
    before = sys.getrefcount(None)
    for i in range(100):
        widget.resize(100 + i, 80)
    after = sys.getrefcount(None)
    assert after >= before - 5, f"None lost {before - after} references in 100 calls"
