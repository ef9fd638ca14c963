"""The shape of every long operation, as vorta's jobs have it: `prepare()` checks the inputs on
the caller's thread (a bad value is an error before any work starts), `run(progress, cancelled)`
does the work on a worker thread and returns plain data. The CLI calls both in turn; the window
hands the job to runtime/jobs.JobRunner, which turns progress, result and error into signals.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable

Progress = Callable[[int, int, str], None]  # done, total, what is being worked on
Cancelled = Callable[[], bool]


def _never() -> bool:
    return False


def _ignore(done: int, total: int, text: str) -> None:
    return None


class Job(ABC):
    title = "Job"  # how the window and the CLI name it: "Import", "Detection", ...

    def prepare(self) -> None:
        """Check the inputs; raise EnergizeError (naming the field) if one is wrong."""

    @abstractmethod
    def run(self, progress: Progress = _ignore, cancelled: Cancelled = _never):
        """Do the work, reporting `progress` and stopping early once `cancelled()`."""

    def __call__(self, progress: Progress | None = None, cancelled: Cancelled | None = None):
        """prepare() then run(): the whole job on this thread."""
        self.prepare()
        return self.run(progress or _ignore, cancelled or _never)
