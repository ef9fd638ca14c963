"""The version, from pyproject.toml (the one place it is written): printed for the installer
scripts (`python installers/stamp.py`), written into the Linux AppStream metadata
(`… appstream OUT.xml`) and the Windows version resource (`… windows-version OUT.txt`, which
build.spec writes itself on Windows)."""

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


def windows_version(out: Path) -> Path:
    """PyInstaller's version-resource file (Explorer › Properties › Details) for build.spec."""
    parts = (tuple(int(p) for p in version().split(".")[:3] if p.isdigit()) + (0, 0, 0))[:4]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={parts}, prodvers={parts}),
  kids=[StringFileInfo([StringTable('040904B0', [
      StringStruct('CompanyName', 'Energize Desktop'),
      StringStruct('FileDescription', 'Energize: building energy monitoring and audits'),
      StringStruct('FileVersion', '{version()}'),
      StringStruct('ProductName', 'Energize'),
      StringStruct('ProductVersion', '{version()}')])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])])
""")
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["appstream"]:
        print(appstream(Path(sys.argv[2])))
    elif sys.argv[1:2] == ["windows-version"]:
        print(windows_version(Path(sys.argv[2])))
    else:
        print(version())
