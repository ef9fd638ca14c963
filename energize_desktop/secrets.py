"""Secrets live in the OS keyring only. Where there is none, say so plainly: never fall back to
storing them anywhere else."""

from __future__ import annotations

from energize_desktop.core.errors import EnergizeError

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
