"""The installer recipes agree with each other and with pyproject.toml: the version is written
only there, every platform associates `.energize` workspaces with the app, and the metadata
files parse."""

import configparser
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTALLERS = ROOT / "installers"
sys.path.insert(0, str(INSTALLERS))

import stamp  # noqa: E402


def test_the_version_is_written_only_in_pyproject(tmp_path):
    from energize_desktop import __version__

    version = stamp.version()
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", version) and __version__ == version
    for path in INSTALLERS.rglob("*"):
        if path.is_file() and path.suffix in (".iss", ".xml", ".desktop", ".sh", ".plist"):
            assert version not in path.read_text(), f"{path} repeats the version"
    metainfo = ET.parse(stamp.appstream(tmp_path / "m.xml")).getroot()
    assert metainfo.find("releases/release").get("version") == version
    assert metainfo.find("id").text == "io.energize.Desktop"
    text = stamp.windows_version(tmp_path / "v.txt").read_text()
    assert f"'ProductVersion', '{version}'" in text


def test_every_platform_opens_workspace_files_with_the_app():
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(INSTALLERS / "linux" / "energize.desktop")
    desktop = entry["Desktop Entry"]
    assert desktop["Exec"] == "energize gui %f" and "application/x-energize-workspace" in \
        desktop["MimeType"]
    mime = ET.parse(INSTALLERS / "linux" / "energize-workspace.xml").getroot()
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    kind = mime.find("m:mime-type", ns)
    assert kind.get("type") == "application/x-energize-workspace"
    assert kind.find("m:glob", ns).get("pattern") == "*.energize"
    iss = (INSTALLERS / "windows" / "energize.iss").read_text()
    assert 'Subkey: "Software\\Classes\\.energize"' in iss and '""%1""' in iss
    assert "ChangesAssociations=yes" in iss and "{uninstallexe}" in iss
    spec = (ROOT / "build.spec").read_text()
    assert '"public.filename-extension": ["energize"]' in spec


def test_a_workspace_path_alone_opens_the_window(monkeypatch, tmp_path):
    """What a file manager runs on double-click (`energize FILE.energize` on some desktops)."""
    from energize_desktop import cli
    from energize_desktop.cli import window

    opened = []
    monkeypatch.setattr(window, "_gui", lambda args: opened.append(args.workspace) or 0)
    target = tmp_path / "Site A.energize"
    assert cli.main([str(target)]) == 0 and opened == [target]
