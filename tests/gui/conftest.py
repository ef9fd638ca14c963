"""GUI tests: one session QApplication (pytest-qt's), nothing modal, and no test may leave a
visible top-level window or a running worker behind."""

import pytest


@pytest.fixture(autouse=True)
def _no_leftovers(qapp):
    from PySide6.QtCore import QThreadPool

    before = {id(w) for w in qapp.topLevelWidgets() if w.isVisible()}
    yield
    pool = QThreadPool.globalInstance()
    assert pool.waitForDone(30_000), "a background task was still running after the test"
    qapp.processEvents()
    left = [w for w in qapp.topLevelWidgets() if w.isVisible() and id(w) not in before]
    for w in left:
        w.close()
    assert not left, f"the test left windows open: {[type(w).__name__ for w in left]}"
