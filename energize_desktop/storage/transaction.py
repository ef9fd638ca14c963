"""One transaction on a workspace connection, however deeply writes are nested.

Its own module so that the writer, the rollup state and every store can use it without
importing the workspace that uses them.
"""

from __future__ import annotations

import threading

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
            self.con.execute("COMMIT")
        else:
            self.con.execute("ROLLBACK")
        return False

