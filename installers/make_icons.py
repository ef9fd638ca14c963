"""Raster icons from resources/icons/energize.svg (the one drawn source): energize.ico
(Windows, 16–256 px), energize.icns (macOS) and energize-256.png (Linux hicolor), written
beside it with Qt's own image writers. Run after changing the SVG; the results are committed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"


def render(size: int):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(ICONS / "energize.svg")).render(painter)
    painter.end()
    return image


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QImageWriter

    app = QGuiApplication(sys.argv)  # noqa: F841 (image plugins need an application)
    for name, fmt, size in (("energize.ico", b"ico", 256), ("energize.icns", b"icns", 512),
                            ("energize-256.png", b"png", 256)):
        writer = QImageWriter(str(ICONS / name), fmt)
        if not writer.write(render(size)):
            print(f"{name}: {writer.errorString()}", file=sys.stderr)
            return 1
        print(ICONS / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
