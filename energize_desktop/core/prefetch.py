"""Read ahead: the next block is parsed on a helper thread while this one is stored.

polars, numpy and DuckDB release the GIL for their heavy work, so on two cores parsing and
storing overlap. The queue holds at most `depth` parsed blocks, which bounds memory. When the
consumer stops early (an error in a block, a cancel), the helper is told to stop and nothing it
hands over can block it: every put gives up once the consumer has gone.
"""

from __future__ import annotations

import queue
import threading

_DONE = object()


def prefetch(iterable, depth: int = 1):
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                q.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for item in iterable:
                if not put((item, None)):
                    return
            put((_DONE, None))
        except BaseException as exc:  # handed to the consumer, raised there
            put((_DONE, exc))

    worker = threading.Thread(target=produce, name="energize-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, error = q.get()
            if item is _DONE:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        _drain(q)
        worker.join()


def _drain(q: queue.Queue) -> None:
    while True:
        try:
            q.get_nowait()
        except queue.Empty:
            return
