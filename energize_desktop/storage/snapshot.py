"""A consistent copy of a workspace that another process holds open for writing (DuckDB lets
no other process read the file meanwhile): the holder flushes its closed rollups, checkpoints
(so the main file holds every commit and later ones go to the write-ahead log) and copies the
file while its writer waits — a few milliseconds per megabyte, with nothing lost (the logger's
queue holds what arrives meanwhile).

The file is read through one descriptor opened once and closed only after the workspace is:
DuckDB's lock on POSIX is an fcntl record lock, which the kernel drops when the process closes
*any* descriptor of the file — copying it with a plain open()/close() would silently unlock the
workspace for every other process (seen: `energize info` then opened it under a running
logger)."""

from __future__ import annotations

import os
import threading
from typing import BinaryIO

import duckdb

from energize_desktop.storage.errors import WorkspaceError

CHUNK = 1 << 20
TRIES = 20


def write_snapshot(ws, out: BinaryIO, wait=threading.Event().wait) -> int:
    """Copy the workspace as of now into `out`; the bytes written. A checkpoint refused while
    another thread's write is open (an alert being stored) is tried again shortly."""
    for attempt in range(TRIES):
        with ws.state.lock:  # the writer's lock: no append or flush while the file is copied
            if ws.state.current.pending_rows:
                ws.writer().flush()
            try:
                ws.cursor().execute("CHECKPOINT")
            except duckdb.Error as exc:
                last = exc
            else:
                return _copy(_descriptor(ws), out)
        wait(0.05 * (attempt + 1))  # outside the lock: the other write can finish
    raise WorkspaceError(f"{ws.path}: no consistent copy could be made ({last})")


def _descriptor(ws) -> int:
    """The workspace file's one reading descriptor, closed once the workspace is."""
    fd = getattr(ws, "_snapshot_fd", None)
    if fd is None:
        fd = ws._snapshot_fd = os.open(ws.path, os.O_RDONLY)
        ws.on_close.append(lambda: os.close(fd))
    return fd


def _copy(fd: int, out: BinaryIO) -> int:
    size, at = os.fstat(fd).st_size, 0
    while at < size:
        chunk = os.pread(fd, min(CHUNK, size - at), at)
        if not chunk:
            break
        out.write(chunk)
        at += len(chunk)
    return at
