"""Widgets and windows (PySide6 + pyqtgraph). Widgets render; runtime services do the work."""
