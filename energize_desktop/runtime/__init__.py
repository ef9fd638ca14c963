"""Qt-side services (QtCore only): background work, and the workspace as signals and slots."""
