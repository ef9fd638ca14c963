"""The version, from pyproject.toml (the one place it is written): printed for the installer
scripts, and written into the Linux AppStream metadata and the Windows version resource."""

from __future__ import annotations

import sys
import tomllib
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def appstream(out: Path) -> Path:
    text = (ROOT / "installers/linux/io.energize.Desktop.metainfo.xml").read_text()
    out.write_text(text.replace("@VERSION@", version()).replace(
        "@DATE@", date.today().isoformat()))
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["appstream"]:
        print(appstream(Path(sys.argv[2])))
    else:
        print(version())
