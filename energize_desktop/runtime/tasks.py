"""Run a function on the Qt thread pool and deliver its result on the caller's thread.

Inspired by picard's run_task: the callback runs in the thread that owns `TaskSignals` (the GUI
thread), so widgets are only ever touched there. Errors are delivered, never swallowed.
"""

from __future__ import annotations

import logging
import threading
import traceback

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class TaskSignals(QObject):
    finished = Signal(object)  # the function's result
    failed = Signal(object)  # the exception


class Task(QRunnable):
    def __init__(self, fn, *args, **kwargs):
        super().__init__()
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.signals = TaskSignals()

    def run(self) -> None:
        try:
            result = self.fn(*self.args, **self.kwargs)
        except Exception as exc:  # delivered to the caller, which decides how to show it
            log.debug("task %s failed:\n%s", getattr(self.fn, "__name__", self.fn),
                      traceback.format_exc())
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)


# Tasks in flight. Their signal objects must outlive run(): a queued signal whose sender has
# been collected is silently dropped, and the result with it.
_running: set[Task] = set()


def run_task(fn, *args, on_done=None, on_error=None, pool: QThreadPool | None = None, **kw):
    """Start `fn(*args, **kw)` in the background; return the task (its signals, to wait on)."""
    return _start(Task(fn, *args, **kw), on_done, on_error, pool)


def _start(task: Task, on_done, on_error, pool: QThreadPool | None):
    task.setAutoDelete(False)
    _running.add(task)
    if on_done:
        task.signals.finished.connect(on_done)
    if on_error:
        task.signals.failed.connect(on_error)
    task.signals.finished.connect(lambda _r: _running.discard(task))
    task.signals.failed.connect(lambda _e: _running.discard(task))
    (pool or QThreadPool.globalInstance()).start(task)
    return task


class ProgressSignals(TaskSignals):
    progress = Signal(int, int, str)  # done, total, what is being worked on


class CancellableTask(Task):
    """A long job: `fn(*args, progress=..., cancelled=..., **kw)` reports progress and checks
    `cancelled()` between units of work, keeping what it finished."""

    def __init__(self, fn, *args, **kwargs):
        super().__init__(fn, *args, **kwargs)
        self.signals = ProgressSignals()
        self._cancel = threading.Event()
        self.kwargs.update(progress=self.signals.progress.emit, cancelled=self._cancel.is_set)

    def cancel(self) -> None:
        self._cancel.set()


def run_cancellable(fn, *args, on_progress=None, on_done=None, on_error=None,
                    pool: QThreadPool | None = None, **kw) -> CancellableTask:
    task = CancellableTask(fn, *args, **kw)
    if on_progress:
        task.signals.progress.connect(on_progress)
    return _start(task, on_done, on_error, pool)
