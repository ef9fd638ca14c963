"""The pages as a user's X server draws them (Xvfb, the xcb platform, real fonts): every page
of the demo saved by `energize gui --pages` at 1280×720 and 1920×1080 in both themes, each PNG
exactly the window's size, drawn in the theme's own colours."""

import os
import shutil
import subprocess
import sys
from collections import Counter

import pytest
from PySide6.QtGui import QColor, QImage

from energize_desktop.ui.main_window import PAGES
from energize_desktop.ui.window_support import THEMES
from tests.gui.test_theme import contrast

pytestmark = pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="no Xvfb here")


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_page_under_xvfb_fits_and_wears_the_theme(tmp_path, size, theme):
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "ENERGIZE_DATA_DIR": str(tmp_path / "d")}
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 2000x1200x24", sys.executable, "-m",
         "energize_desktop", "gui", "--demo", "--pages", str(tmp_path), "--size",
         f"{size[0]}x{size[1]}", "--theme", theme],
        capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    colours = THEMES[theme]
    ours = {QColor(colours[k]).rgb() & 0xFFFFFF for k in ("window", "base", "chart_bg")}
    for i, name in enumerate(PAGES):
        image = QImage(str(tmp_path / f"{i + 1}-{name.lower()}.png"))
        assert (image.width(), image.height()) == size, (name, image.size())
        pixels = Counter(image.pixel(x, y) & 0xFFFFFF for x in range(0, size[0], 7)
                         for y in range(0, size[1], 7))
        commonest = QColor(pixels.most_common(1)[0][0])
        # the theme's colours, or Fusion's shade of them (a tab pane is one step lighter)
        assert min(contrast(commonest, QColor(c)) for c in ours) < 1.5, (name, commonest.name())
        text = QColor(colours["text"])  # and the theme's text colour is drawn on it somewhere
        assert any(contrast(QColor(p), text) < 1.3 for p in pixels), name
