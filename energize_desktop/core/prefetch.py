"""Read ahead: the next block is parsed on a helper thread while this one is stored.

polars, numpy and DuckDB release the GIL for their heavy work, so on two cores parsing and
storing overlap. The queue holds at most `depth` parsed blocks, which bounds memory.
"""

from __future__ import annotations

import queue
import threading

_DONE = object()


def prefetch(iterable, depth: int = 1):
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce():
        try:
            for item in iterable:
                while not stop.is_set():
                    try:
                        q.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put((_DONE, None))
        except BaseException as exc:  # handed to the consumer, raised there
            q.put((_DONE, exc))

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
        worker.join()
