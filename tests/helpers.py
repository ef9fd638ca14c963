"""Small builders shared by tests."""

import numpy as np

from energize_desktop.core.semantics import MeterParams
from energize_desktop.core.timezones import US


def params(semantics, *, factor=1.0, additive=True, interval_s=60, gap_s=None, rollover=np.nan,
           max_rate=np.nan, n=1) -> MeterParams:
    """Parameters for `n` meters (indices 0..n-1) that all share these settings."""
    return MeterParams(
        semantics=np.full(n, semantics, np.int8), factor=np.full(n, factor),
        additive=np.full(n, additive), interval_us=np.full(n, interval_s * US, np.int64),
        gap_us=np.full(n, (gap_s or 3 * interval_s) * US, np.int64),
        rollover=np.full(n, rollover), max_rate=np.full(n, max_rate))


def stack(*ps: MeterParams) -> MeterParams:
    """Meters with different parameters: meter i takes ps[i]."""
    return MeterParams(*(np.concatenate([getattr(p, f) for p in ps])
                         for f in MeterParams.__slots__))


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (tests only ever listen on loopback)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers: a device that times out."""

    def __init__(self):
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self._conns = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._conns.append(conn)  # held open, never read or answered

    def close(self):
        for c in self._conns:
            c.close()
        self.sock.close()
