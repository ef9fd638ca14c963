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


class NullModem:
    """Two pseudo-terminals joined back to back, like a serial cable: what is written to one
    end's device path is read from the other's (a stand-in for an RS-485 adapter)."""

    def __init__(self):
        import os
        import threading

        self._fds = []
        self.paths = []
        for _ in range(2):
            master, slave = os.openpty()
            self._raw(slave)
            self._fds.append((master, slave))
            self.paths.append(os.ttyname(slave))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._relay, daemon=True)
        self._thread.start()

    @staticmethod
    def _raw(fd):
        import tty

        tty.setraw(fd)

    def _relay(self):
        import os
        import select

        a, b = self._fds[0][0], self._fds[1][0]
        while not self._stop.is_set():
            ready, _, _ = select.select([a, b], [], [], 0.1)
            for fd in ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    return
                os.write(b if fd == a else a, data)

    def close(self):
        import os

        self._stop.set()
        self._thread.join(5)
        for master, slave in self._fds:
            os.close(master)
            os.close(slave)
