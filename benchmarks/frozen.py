"""The frozen app (make dist) beside the same code run from the source tree, in the same run:
wall time of `energize --version` (start-up) and of the whole `--selftest`, medians of five;
plus the size of the one-folder build and of its files."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import Figure, Result

ROOT = Path(__file__).resolve().parents[1]
FROZEN = ROOT / "dist" / "energize" / "energize"


def _median_s(cmd: list[str], repeats: int = 5) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run() -> Result:
    if not FROZEN.exists():
        raise SystemExit(f"{FROZEN} missing: run make dist first")
    source = [sys.executable, "-m", "energize_desktop"]
    result = Result("frozen", "the same code run from the source tree (python -m)",
                    setup={"build": "PyInstaller one-folder, build.spec"})
    for label, args in (("start-up: energize --version", ["--version"]),
                        ("energize --selftest (every step)", ["--selftest"])):
        result.figures.append(Figure(label, "s", _median_s([str(FROZEN), *args]),
                                     _median_s([*source, *args]), False))
    files = [p for p in FROZEN.parent.rglob("*") if p.is_file() and not p.is_symlink()]
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    result.figures.append(Figure("size of dist/energize", "MB", size_mb, None, False,
                                 note=f"{len(files):,} files"))
    return result


if __name__ == "__main__":
    print(run().table())
