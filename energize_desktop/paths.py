"""Where things live: bundled resources, and the user's data and log folders (platformdirs)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "Energize"


def resources_dir() -> Path:
    """Bundled resources: beside the package in a checkout, under _MEIPASS when frozen."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def data_dir() -> Path:
    """The user's data folder; ENERGIZE_DATA_DIR overrides it (tests, portable installs)."""
    override = os.environ.get("ENERGIZE_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP, appauthor=False))


def log_dir() -> Path:
    override = os.environ.get("ENERGIZE_DATA_DIR")
    if override:
        return Path(override) / "logs"
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP, appauthor=False))


def demo_workspace() -> Path:
    return data_dir() / "demo.energize"
