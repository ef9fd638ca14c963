"""Secrets live in the OS keyring. Where there is none (a headless logger), the user names
another source explicitly — an environment variable, a 0600 file, a systemd credential — and the
product says which one it used. Never a silent fallback to storing them anywhere else."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from energize_desktop.core.errors import EnergizeError, ValidationError

SERVICE = "energize-desktop"


class NoKeyringError(EnergizeError):
    pass


def get(key: str) -> str | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(SERVICE, key)
    except KeyringError as exc:
        raise NoKeyringError(f"no OS keyring is available ({exc.__class__.__name__}); passwords "
                             "are only kept in the OS keyring, so this one cannot be read. "
                             "Install and unlock a keyring (Secret Service, KWallet, macOS "
                             "Keychain, Windows Credential Locker)") from None


def put(key: str, secret: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, key, secret)
    except KeyringError as exc:
        raise NoKeyringError(f"no OS keyring is available ({exc.__class__.__name__}); the "
                             "password was not saved anywhere") from None


# -- named sources, for a machine without a keyring ---------------------------------------------
SOURCES = ("keyring", "env", "file", "systemd")


def read(source: str) -> str:
    """The secret a source names, or NoKeyringError / ValidationError saying why not:

    - `keyring:ENTRY` — the OS keyring (the default, and what a bare entry name means);
    - `env:VARIABLE` — an environment variable (set by a service manager, not a file);
    - `file:/path` — a file only its owner can read (mode 0600 or stricter), else refused;
    - `systemd:NAME` — `$CREDENTIALS_DIRECTORY/NAME`, as systemd's LoadCredential= provides.
    Never a silent plain-text fallback: the user names the source, and `describe` says it."""
    kind, _, where = parse_source(source)
    if kind == "keyring":
        value = get(where)
        if value is None:
            raise ValidationError(f"no password in the OS keyring under {where!r}",
                                  field="password_source")
        return value
    if kind == "env":
        if where not in os.environ:
            raise ValidationError(f"password source env:{where}: the variable is not set",
                                  field="password_source")
        return os.environ[where]
    path = Path(where) if kind == "file" else _credential(where)
    return _private_file(path)


def parse_source(source: str) -> tuple[str, str, str]:
    kind, sep, where = source.partition(":")
    if not sep or kind not in SOURCES:
        kind, where = "keyring", source  # a bare name ("mqtt:site"): a keyring entry
    if not where:
        raise ValidationError(f"password source {source!r}: expected keyring:ENTRY, "
                              "env:VARIABLE, file:/PATH or systemd:NAME", field="password_source")
    return kind, ":", where


def describe(source: str) -> str:
    """Where a secret comes from, for the status line and the self-test (never the secret)."""
    kind, _, where = parse_source(source)
    return {"keyring": f"the OS keyring entry {where!r}", "env": f"the environment variable "
            f"{where}", "file": f"the private file {where}",
            "systemd": f"the systemd credential {where}"}[kind]


def _credential(name: str) -> Path:
    folder = os.environ.get("CREDENTIALS_DIRECTORY")
    if not folder:
        raise ValidationError(f"password source systemd:{name}: $CREDENTIALS_DIRECTORY is not "
                              "set (run under systemd with LoadCredential=)",
                              field="password_source")
    return Path(folder) / name


def _private_file(path: Path) -> str:
    try:
        info = path.stat()
    except OSError as exc:
        raise ValidationError(f"password file {path}: {exc.strerror}",
                              field="password_source") from None
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ValidationError(f"password file {path}: readable by others (mode "
                              f"{stat.S_IMODE(info.st_mode):o}); chmod 600 it first",
                              field="password_source")
    return path.read_text(encoding="utf-8").rstrip("\r\n")
