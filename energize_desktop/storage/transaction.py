"""One transaction on a workspace connection, however deeply writes are nested.

Its own module so that the writer, the rollup state and every store can use it without
importing the workspace that uses them.
"""

from __future__ import annotations

import threading

import duckdb

from energize_desktop.storage.errors import WorkspaceError

_depth = threading.local()


class transaction:
    """BEGIN ... COMMIT, or ROLLBACK on any exception.

    Nested blocks on the same connection join the outermost one: an import wraps many writer
    batches in one transaction so that a file that fails leaves no trace.
    """

    def __init__(self, con):
        self.con = con

    def _counts(self) -> dict:
        if not hasattr(_depth, "counts"):
            _depth.counts = {}
        return _depth.counts

    def __enter__(self):
        counts = self._counts()
        depth = counts.get(id(self.con), 0)
        if depth == 0:
            self.con.execute("BEGIN TRANSACTION")
        counts[id(self.con)] = depth + 1
        return self.con

    def __exit__(self, exc_type, exc, tb):
        counts = self._counts()
        depth = counts[id(self.con)] - 1
        if depth:
            counts[id(self.con)] = depth
            return False
        del counts[id(self.con)]
        if exc_type is None:
            try:
                self.con.execute("COMMIT")
            except duckdb.Error as error:  # the disk is full, or the file cannot be written
                _rollback(self.con)
                raise storage_error(error, "nothing of this change was stored") from error
        else:
            _rollback(self.con)
        return False


def _rollback(con) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # a failed commit has already ended the transaction


def storage_error(error: Exception, consequence: str) -> WorkspaceError:
    """A DuckDB failure in the application's terms: a full disk said as one."""
    text = str(error)
    if "No space left" in text or "ENOSPC" in text or "disk is full" in text.lower():
        return WorkspaceError(f"the disk holding the workspace is full; {consequence}. Free "
                              "some space and try again: the workspace itself is intact")
    return WorkspaceError(f"the workspace could not be written ({text.splitlines()[0]}); "
                          f"{consequence}")

