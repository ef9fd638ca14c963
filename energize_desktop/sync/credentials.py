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
    key = key or f"pg:{parts.get('user', '')}@{parts.get('host', '')}:{parts.get('port', '')}"
    password = parts.pop("password", None)
    if password:
        secrets.put(key, password)  # NoKeyringError says plainly that it cannot be kept
    return make_conninfo(**parts), key


def password(dsn: str, key: str | None, required: bool) -> str | None:
    """The password from the OS keyring (never from a file); None lets libpq use its own
    (a .pgpass or a certificate) when no key is named."""
    from energize_desktop import secrets

    if key is None:
        return None
    value = secrets.get(key)
    if value is None and required:
        raise ValidationError(f"no password under keyring entry {key!r}")
    return value
