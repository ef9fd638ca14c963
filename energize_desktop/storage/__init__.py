"""The workspace store: the only package that imports duckdb."""

from energize_desktop.storage.errors import WorkspaceError
from energize_desktop.storage.workspace import Workspace

__all__ = ["Workspace", "WorkspaceError"]
