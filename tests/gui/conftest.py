"""GUI tests: one session QApplication (pytest-qt's), nothing modal, and no test may leave a
visible top-level window or a running worker behind."""

import pytest


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    """Each test its own data folder: what a window keeps (its geometry, each workspace's time
    range, preferences) never leaks into the next test."""
    monkeypatch.setenv("ENERGIZE_DATA_DIR", str(tmp_path / "energize-data"))


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
    # Destroy this test's Qt objects now, while no worker runs: destroyed later by the garbage
    # collector, in the middle of another test, a QObject's destructor can wait for a Qt lock a
    # worker holds while that worker waits for the GIL (a deadlock seen here).
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()
    assert not left, f"the test left windows open: {[type(w).__name__ for w in left]}"
