"""Server credentials: the DSN kept without its password, the password in the OS keyring."""

from __future__ import annotations

from energize_desktop.core.errors import ValidationError


def keep_password_in_keyring(dsn: str, key: str | None) -> tuple[str, str]:
    """The DSN without its password (safe to keep in the workspace) and the keyring entry
    holding it; a password given in the DSN is moved to the keyring, never kept in the file."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from energize_desktop import secrets

    try:
        parts = conninfo_to_dict(dsn)
    except Exception as exc:  # psycopg.ProgrammingError: a malformed string
        raise ValidationError(f"not a PostgreSQL connection string ({exc})",
                              field="dsn") from None
    key = key or server_key(parts)
    password = parts.pop("password", None)
    if password:
        secrets.put(key, password)  # NoKeyringError says plainly that it cannot be kept
    return make_conninfo(**parts), key


def server_key(parts: dict) -> str:
    """The keyring entry of a server's password: every part that says where the password goes
    (host list, hostaddr, port, user, database), so a connection string that names the same
    host but another address, database or user never receives it."""
    host = parts.get("host", "")
    if parts.get("hostaddr"):
        host += f"[{parts['hostaddr']}]"
    return (f"pg:{parts.get('user', '')}@{host}:{parts.get('port', '')}"
            + (f"/{parts['dbname']}" if parts.get("dbname") else ""))


def trusted(dsn: str) -> bool:
    """Was this connection string given on this computer (not only carried in by a workspace
    from elsewhere)?"""
    return _fingerprint(dsn) in _trusted()


def trust(dsn: str) -> None:
    import json

    known = _trusted() | {_fingerprint(dsn)}
    path = _trust_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(sorted(known)))


def _trusted() -> set[str]:
    import json

    try:
        return set(json.loads(_trust_file().read_text()))
    except (OSError, ValueError):
        return set()


def _trust_file():
    from energize_desktop import paths

    return paths.data_dir() / "trusted_servers.json"


def _fingerprint(dsn: str) -> str:
    import hashlib

    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    parts = conninfo_to_dict(dsn)
    parts.pop("password", None)
    return hashlib.sha256(make_conninfo(**dict(sorted(parts.items()))).encode()).hexdigest()


def password(dsn: str, key: str | None, required: bool) -> str | None:
    """The password from its source: a keyring entry (the default), or one the user named
    (env:, file:, systemd:). None lets libpq use its own — .pgpass, PGPASSFILE, a client
    certificate — which is also what happens for a DSN without a password on a machine with no
    keyring at all (nothing needs one then)."""
    from energize_desktop import secrets

    if key is None:
        return None
    kind, _, entry = secrets.parse_source(key)
    if kind != "keyring":
        return secrets.read(key)
    try:
        value = secrets.get(entry)
    except secrets.NoKeyringError:
        if required:
            raise
        return None  # headless: libpq's own sources, or no password at all
    if value is None and required:
        raise ValidationError(f"no password under keyring entry {entry!r}",
                              field="password_key")
    return value
