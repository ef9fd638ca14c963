"""Secrets: the keyring, or a source the user names; a password only ever goes to the server
it was stored for, and a workspace's own connection string must be confirmed here first."""

import socket
import threading

import pytest

from energize_desktop import secrets
from energize_desktop.core.errors import ValidationError
from energize_desktop.sync.credentials import (
    keep_password_in_keyring,
    password,
    server_key,
)


def test_named_sources(tmp_path, monkeypatch):
    monkeypatch.setenv("MQTT_PW", "from-env")
    assert secrets.read("env:MQTT_PW") == "from-env"
    private = tmp_path / "mqtt.pass"
    private.write_text("from-file\n")
    private.chmod(0o600)
    assert secrets.read(f"file:{private}") == "from-file"
    private.chmod(0o644)
    with pytest.raises(ValidationError, match="readable by others.*chmod 600"):
        secrets.read(f"file:{private}")
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "mqtt").write_text("from-systemd")
    (creds / "mqtt").chmod(0o600)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    assert secrets.read("systemd:mqtt") == "from-systemd"
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    with pytest.raises(ValidationError, match="CREDENTIALS_DIRECTORY is not set"):
        secrets.read("systemd:mqtt")
    with pytest.raises(ValidationError, match="not set"):
        secrets.read("env:NOT_THERE_AT_ALL")
    assert "environment variable MQTT_PW" in secrets.describe("env:MQTT_PW")


def test_a_bare_name_is_a_keyring_entry():
    secrets.put("mqtt:site", "kept")
    assert secrets.read("mqtt:site") == "kept"
    assert secrets.parse_source("pg:u@h:5432")[0] == "keyring"


def test_no_keyring_needs_no_keyring_for_a_dsn_without_password(monkeypatch):
    def none(*a, **k):
        raise secrets.NoKeyringError("no keyring on this mini-PC")

    monkeypatch.setattr(secrets, "get", none)
    dsn, key = keep_password_in_keyring("host=db.example user=acme dbname=energize", None)
    assert password(dsn, key, required=False) is None  # libpq's own .pgpass may supply it
    with pytest.raises(secrets.NoKeyringError):
        password(dsn, key, required=True)


def test_the_password_entry_names_everything_that_says_where_it_goes():
    plain = server_key({"host": "db.example", "user": "acme", "port": "5432"})
    other_addr = server_key({"host": "db.example", "hostaddr": "10.9.9.9", "user": "acme",
                             "port": "5432"})
    other_db = server_key({"host": "db.example", "user": "acme", "port": "5432",
                           "dbname": "x"})
    assert len({plain, other_addr, other_db}) == 3


def test_a_workspace_from_elsewhere_sends_no_password_before_its_server_is_confirmed(tmp_path):
    from energize_desktop.storage import Workspace
    from energize_desktop.storage.metadata import SYNC_DSN
    from energize_desktop.sync.session import sync_once

    received = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(2)
    port = listener.getsockname()[1]

    def record():  # a fake "server" that records whatever reaches it
        try:
            conn, _ = listener.accept()
            received.append(conn.recv(4096))
            conn.close()
        except OSError:
            pass

    spy = threading.Thread(target=record)
    spy.start()
    secrets.put(f"pg:acme@127.0.0.1:{port}", "the real password")
    with Workspace.create(tmp_path / "stranger.energize") as ws:
        SYNC_DSN.set(ws, f"host=127.0.0.1 port={port} user=acme")  # as the stranger left it
        with pytest.raises(ValidationError, match="not set on this computer"):
            sync_once(ws)
    listener.close()
    spy.join()
    assert received == []  # nothing was even sent
