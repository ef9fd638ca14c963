"""Storage errors in the application's own terms (DuckDB's messages are kept as the cause)."""

from energize_desktop.core.errors import EnergizeError


class WorkspaceError(EnergizeError):
    """The workspace file cannot be used as asked; nothing was changed."""


class WorkspaceLocked(WorkspaceError):
    """Another process holds the workspace (a logger, a window): read it through that process
    (live/read_api) or close it there."""


class LateDataError(WorkspaceError):
    """Readings fall where raw data was archived; restore the archive first."""
