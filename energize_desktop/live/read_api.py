"""Reading a workspace while a logger holds it. DuckDB lets no other process open the file, so
the logger serves it on a loopback read API: `GET /snapshot` streams a consistent copy (see
storage/snapshot), `GET /feed?after=N` the readings committed since commit N and the state of
every device. Its address and a random token are in a sidecar file beside the workspace
(`<name>.reader`, readable by its owner only), removed when the logger stops; the server listens
on 127.0.0.1 only and answers nothing without the token.

`open_for_reading(path)` is what `energize info / export / report` and the window use: the
workspace itself when it is free, else the logger's snapshot (read-only, removed on close)."""

from __future__ import annotations

import json
import logging
import os
import secrets
import tempfile
import threading
import urllib.error
import urllib.request
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from energize_desktop.core.errors import EnergizeError
from energize_desktop.storage import Workspace
from energize_desktop.storage.errors import WorkspaceLocked
from energize_desktop.storage.snapshot import write_snapshot

log = logging.getLogger(__name__)
KEPT_COMMITS = 4000  # the feed's memory: a reader that falls further behind re-snapshots
TIMEOUT_S = 5.0


def sidecar(path: Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".reader")


class ReadServer:
    """Serves `ws` (held open for writing by this process) to readers in other processes."""

    def __init__(self, ws, sources=lambda: [], status=lambda: []):
        self.ws, self.sources, self.status = ws, sources, status
        self.token = secrets.token_urlsafe(24)
        self._commits: deque = deque(maxlen=KEPT_COMMITS)  # (seq, ids, ts, values)
        self._seq = 0
        self._lock = threading.Condition()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, name="read api",
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def start(self) -> "ReadServer":
        self._thread.start()
        path = sidecar(self.ws.path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"url": self.url, "token": self.token, "pid": os.getpid()}, f)
        return self

    def stop(self) -> None:
        sidecar(self.ws.path).unlink(missing_ok=True)
        self._http.shutdown()
        self._http.server_close()

    def committed(self, ids, ts, values) -> None:
        """Called after each commit (the writer thread): kept for the feed."""
        with self._lock:
            self._seq += 1
            self._commits.append((self._seq, ids.tolist(), ts.tolist(), values.tolist()))
            self._lock.notify_all()

    def feed(self, after: int, wait_s: float = 0.0) -> dict:
        """Commits after `after` — waiting up to `wait_s` for one when there is none yet (a
        long poll: a reader hears of a commit as it happens, without polling fast)."""
        with self._lock:
            self._lock.wait_for(lambda: self._seq > after, timeout=min(wait_s, 30.0))
            rows = [c for c in self._commits if c[0] > after]
            seq = self._seq
            lost = bool(self._commits) and after < self._commits[0][0] - 1
        readings = [[i, t, v] for _, ids, ts, vs in rows for i, t, v in zip(ids, ts, vs)]
        return {"seq": seq, "readings": readings, "missed": lost, "sources": self.sources(),
                "status": self.status()}


def _handler(server: ReadServer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):  # quiet: the logger's own log says what matters
            log.debug("read api: " + fmt, *args)

        def do_GET(self):
            if self.headers.get("Authorization") != f"Bearer {server.token}":
                self.send_error(403, "no or wrong token")
                return
            url = urlparse(self.path)
            try:
                if url.path == "/snapshot":
                    self._snapshot()
                elif url.path == "/feed":
                    query = parse_qs(url.query)
                    after = int(query.get("after", ["0"])[0])
                    wait_s = float(query.get("wait", ["0"])[0])
                    body = json.dumps(server.feed(after, wait_s)).encode()
                    self._send(body, "application/json")
                else:
                    self.send_error(404, "GET /snapshot or /feed?after=N")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the reader went away
            except Exception as exc:  # said to the reader, and logged here
                log.error("read api %s: %s", url.path, exc)
                self.send_error(503, str(exc)[:200])

        def _snapshot(self):
            with tempfile.TemporaryFile() as copy:
                size = write_snapshot(server.ws, copy)
                copy.seek(0)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                while chunk := copy.read(1 << 20):
                    self.wfile.write(chunk)

        def _send(self, body: bytes, kind: str):
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


class LoggerClient:
    """The reader's side: the logger named by a workspace's sidecar file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            info = json.loads(sidecar(self.path).read_text())
            self.url, self.token, self.pid = info["url"], info["token"], info.get("pid")
        except (OSError, ValueError, KeyError):
            raise WorkspaceLocked(f"{self.path}: open in another Energize process (a window, "
                                  "or a logger serving no reads); close it there first") from None
        if not self.url.startswith("http://127.0.0.1:"):
            raise WorkspaceLocked(f"{sidecar(self.path)}: names {self.url}, not this computer")
        self.after = 0

    def _get(self, what: str, timeout: float = TIMEOUT_S):
        request = urllib.request.Request(self.url + what,
                                         headers={"Authorization": f"Bearer {self.token}"})
        try:
            return urllib.request.urlopen(request, timeout=timeout)
        except (urllib.error.URLError, OSError) as exc:
            raise WorkspaceLocked(f"{self.path}: held by process {self.pid}, whose read API at "
                                  f"{self.url} does not answer ({exc}); if no logger runs, "
                                  f"remove {sidecar(self.path).name}") from None

    def snapshot(self, folder: Path | None = None) -> Path:
        """The workspace as of now, copied into a file of our own."""
        fd, name = tempfile.mkstemp(suffix=".energize", prefix=self.path.stem + "-",
                                    dir=folder)
        with os.fdopen(fd, "wb") as out, self._get("/snapshot", timeout=60) as response:
            while chunk := response.read(1 << 20):
                out.write(chunk)
        return Path(name)

    def poll(self, wait_s: float = 0.0) -> dict:
        """What was committed since the last poll (waiting up to `wait_s` for a commit), and
        the devices' states."""
        with self._get(f"/feed?after={self.after}&wait={wait_s:g}",
                       timeout=TIMEOUT_S + wait_s) as response:
            out = json.loads(response.read())
        self.after = out["seq"]
        return out


def open_for_reading(path: Path) -> Workspace:
    """The workspace read-only; while a logger holds it, a snapshot of it from the logger
    (`ws.shown_as` is the logged workspace, `ws.logger` the client for its live feed)."""
    try:
        return Workspace.open(path, read_only=True)
    except WorkspaceLocked:
        client = LoggerClient(path)
    copy = client.snapshot()
    try:
        ws = Workspace.open(copy, read_only=True)
    except EnergizeError:
        copy.unlink(missing_ok=True)
        raise
    ws.shown_as = Path(path)
    ws.logger = client
    ws.on_close.append(lambda: copy.unlink(missing_ok=True))
    return ws
