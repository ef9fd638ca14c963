"""Energize Desktop: local-first building energy monitoring, analytics and audits."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("energize-desktop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+src"
