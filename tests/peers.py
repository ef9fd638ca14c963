"""Real test peers started on free loopback ports: a Mosquitto broker (Debian's package, which
`make test` installs). Waiting is on the port accepting connections, never a fixed sleep."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.helpers import free_port

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on 127.0.0.1:{port}") from None
            socket.socket().close()  # yield; the connect attempt itself is the wait


class Mosquitto:
    def __init__(self, folder: Path, users: dict[str, str] | None = None, tls: bool = False):
        self.folder, self.port = Path(folder), free_port()
        self.folder.mkdir(parents=True, exist_ok=True)
        lines = [f"listener {self.port} 127.0.0.1", "persistence true",
                 f"persistence_location {self.folder}/", "user root" if _root() else "",
                 "max_queued_messages 100000", "log_dest none"]
        if users:
            pw = self.folder / "passwords"
            pw.write_text("")
            for user, password in users.items():
                subprocess.run(["mosquitto_passwd", "-b", str(pw), user, password], check=True)
            lines += ["allow_anonymous false", f"password_file {pw}"]
        else:
            lines.append("allow_anonymous true")
        if tls:
            self.ca = _certificates(self.folder)
            lines += [f"cafile {self.ca}", f"certfile {self.folder / 'server.crt'}",
                      f"keyfile {self.folder / 'server.key'}"]
        self.conf = self.folder / "mosquitto.conf"
        self.conf.write_text("\n".join(lines) + "\n")
        self.proc = None

    def start(self) -> "Mosquitto":
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for_port(self.port)
        except TimeoutError:
            self.proc.kill()
            raise RuntimeError(f"mosquitto did not start: {self.proc.stderr.read()[-500:]}")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # saves its persistence file
            self.proc.wait(15)


def _root() -> bool:
    import os

    return os.geteuid() == 0


def _certificates(folder: Path) -> Path:
    """A throw-away CA and a server certificate for 127.0.0.1 (openssl)."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test CA",
        "-keyout", "ca.key", "-out", "ca.crt")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout",
        "server.key", "-out", "server.csr")
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-out", "server.crt", "-extfile", "san.ext")
    return folder / "ca.crt"


PG_BIN = next((p for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)),
              Path("/usr/bin")) if Path("/usr/lib/postgresql").exists() else Path("/usr/bin")


class Postgres:
    """A throw-away PostgreSQL cluster: initdb and postgres on a free loopback port in a temp
    folder, run as the `postgres` system user when the tests run as root (initdb refuses
    root). The operator role is `operator` with password `operator-pw` (scram-sha-256)."""

    OPERATOR, PASSWORD = "operator", "operator-pw"

    def __init__(self):
        import tempfile

        # its own folder under /tmp: pytest's tmp_path is root-only, and the postgres user
        # must reach the data directory
        self.folder, self.port = Path(tempfile.mkdtemp(prefix="energize-pg-")), free_port()
        self.data = self.folder / "data"
        self.proc = None

    def _as_owner(self) -> list[str]:
        return ["runuser", "-u", "postgres", "--"] if _root() else []

    def init(self) -> "Postgres":
        import os

        self.folder.mkdir(parents=True, exist_ok=True)
        pwfile = self.folder / "pw"
        pwfile.write_text(self.PASSWORD)
        if _root():
            shutil.chown(self.folder, "postgres")
            shutil.chown(pwfile, "postgres")
            os.chmod(self.folder, 0o700)
        subprocess.run([*self._as_owner(), str(PG_BIN / "initdb"), "-D", str(self.data), "-U",
                        self.OPERATOR, "--pwfile", str(pwfile), "--auth", "scram-sha-256",
                        "-E", "UTF8", "--locale", "C"], check=True, capture_output=True)
        return self

    def start(self, **settings) -> "Postgres":
        """Start the server; `settings` become `-c name=value` (the benchmarks size it like a
        bulk-loading server: shared_buffers, max_wal_size)."""
        options = [f"-c{k}={v}" for k, v in {"fsync": "off", **settings}.items()]
        self.log = self.folder / "server.log"  # a file, not a pipe nobody reads: a full pipe
        with self.log.open("ab") as log:   # would block the server mid-test
            self.proc = subprocess.Popen(
                [*self._as_owner(), str(PG_BIN / "postgres"), "-D", str(self.data), "-p",
                 str(self.port), "-h", "127.0.0.1", "-k", str(self.folder), *options],
                stdout=subprocess.DEVNULL, stderr=log)
        if not self._ready(60):  # accepting connections: after crash recovery, too
            self.proc.kill()
            raise RuntimeError(f"postgres did not start: {self.log.read_text()[-800:]}")
        return self

    def _ready(self, timeout: float) -> bool:
        """pg_isready until it says the server accepts connections (0) or the deadline."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            ready = subprocess.run([str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p",
                                    str(self.port), "-t", "2"])
            if ready.returncode == 0:
                return True
        return False

    def dsn(self, user: str | None = None, password: str | None = None) -> str:
        user = user or self.OPERATOR
        password = password or (self.PASSWORD if user == self.OPERATOR else "")
        return (f"postgresql://{user}:{password}@127.0.0.1:{self.port}/postgres"
                if password else f"postgresql://{user}@127.0.0.1:{self.port}/postgres")

    def kill(self) -> None:
        """As a power cut would: SIGKILL to the postmaster (not runuser), no checkpoint; then
        wait for its backends to notice and the port to close."""
        import os
        import signal

        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        self.proc.wait(15)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            except OSError:
                return
        raise TimeoutError("the killed server still accepts connections")

    def stop(self) -> None:
        """Fast shutdown (SIGINT) sent to the postmaster itself: `runuser` does not pass a
        signal on, and a smart shutdown would wait for every client to leave."""
        import os
        import signal

        if self.proc and self.proc.poll() is None:
            try:
                os.kill(int((self.data / "postmaster.pid").read_text().split()[0]),
                        signal.SIGINT)
            except (OSError, ValueError):
                self.proc.terminate()
            self.proc.wait(30)  # runuser returns once the postmaster has exited

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

