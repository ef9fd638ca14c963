"""Any job (jobs/base.Job) run on the Qt thread pool: `prepare()` on the GUI thread, `run()` on a
worker, and its progress, result and error delivered on the GUI thread — to the callbacks the
caller gave for this one job, and as the runner's signals for whoever watches all of them (the
status bar, tests). Nothing routes an error by its text: each job's error goes to its caller.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThreadPool, Signal

from energize_desktop.core.errors import EnergizeError
from energize_desktop.runtime.tasks import CancellableTask, run_cancellable

log = logging.getLogger(__name__)


class JobRunner(QObject):
    started = Signal(object)  # the job
    progress = Signal(object, int, int, str)  # the job, done, total, what
    finished = Signal(object, object)  # the job, its result
    failed = Signal(object, object)  # the job, the exception

    def __init__(self, pool: QThreadPool | None = None, parent=None):
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self.running: set[CancellableTask] = set()

    def start(self, job, on_done=None, on_error=None, on_progress=None
              ) -> CancellableTask | None:
        """Start `job`; None when `prepare()` refused it (on_error has been told why)."""
        try:
            job.prepare()
        except EnergizeError as exc:
            self._failed(job, on_error, exc)
            return None
        task = run_cancellable(job.run, pool=self.pool,
                               on_progress=lambda d, t, w: self._progress(job, on_progress,
                                                                          d, t, w),
                               on_done=lambda r: self._done(job, on_done, r),
                               on_error=lambda e: self._failed(job, on_error, e))
        self.running.add(task)
        task.signals.finished.connect(lambda _r: self.running.discard(task))
        task.signals.failed.connect(lambda _e: self.running.discard(task))
        self.started.emit(job)
        return task

    def cancel_all(self) -> None:
        for task in list(self.running):
            task.cancel()

    def _progress(self, job, callback, done: int, total: int, what: str) -> None:
        if callback:
            callback(done, total, what)
        self.progress.emit(job, done, total, what)

    def _done(self, job, callback, result) -> None:
        if callback:
            callback(result)
        self.finished.emit(job, result)

    def _failed(self, job, callback, exc: Exception) -> None:
        if not isinstance(exc, EnergizeError):
            log.error("%s failed", job.title, exc_info=exc)
        if callback:
            callback(exc)
        self.failed.emit(job, exc)
