"""Compressed files by their content, not their name: a gzip file (magic 1f 8b) or a zip (PK)
is unpacked to a temporary folder first — each zip member as its own file — so every reader
sees plain files. Expansion is bounded before and while reading: a bomb is refused, never
inflated onto the disk or into memory.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from energize_desktop.imports.csv_format import ImportFormatError

MAX_UNPACKED = 8 << 30  # bytes one file or archive may expand to
MAX_RATIO = 200  # expanded / compressed, once past RATIO_FROM bytes
RATIO_FROM = 64 << 20
MAX_MEMBERS = 1000
CHUNK = 1 << 20


@dataclass(frozen=True)
class Part:
    label: str  # how messages name it: the archive's path, and the member inside
    path: Path  # a plain file to read


def magic(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except FileNotFoundError:
        raise ImportFormatError(f"{path}: no such file") from None
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot be read ({exc.strerror})") from None
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head == b"PK\x03\x04":
        return "zip"
    return None


@contextmanager
def unpacked(path: Path) -> Iterator[list[Part]]:
    """The plain files a file holds: itself, or what its gzip or zip unpacks to."""
    kind = magic(path)
    if kind is None:
        yield [Part(str(path), path)]
        return
    folder = Path(tempfile.mkdtemp(prefix="energize-unpack-"))
    try:
        yield _gunzip(path, folder) if kind == "gzip" else _unzip(path, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _gunzip(path: Path, folder: Path) -> list[Part]:
    size = path.stat().st_size  # (its trailer's ISIZE is garbage in a damaged file: the
    # bounds are checked while it expands instead)
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.stem or "data"
    out = folder / name
    try:
        with gzip.open(path, "rb") as src, open(out, "wb") as dst:
            _copy(path, src, dst, size)
    except (OSError, EOFError, zlib.error) as exc:
        raise ImportFormatError(f"{path}: damaged gzip file ({exc})") from None
    return [Part(str(path), out)]


def _unzip(path: Path, folder: Path) -> list[Part]:
    try:
        with zipfile.ZipFile(path) as z:
            members = [m for m in z.infolist() if not m.is_dir()
                       and not Path(m.filename).name.startswith(".")
                       and "__MACOSX" not in m.filename]
            if len(members) > MAX_MEMBERS:
                raise ImportFormatError(f"{path}: {len(members):,} files in the zip; at most "
                                        f"{MAX_MEMBERS:,}")
            if not members:
                raise ImportFormatError(f"{path}: the zip holds no files")
            total = sum(m.file_size for m in members)
            _check_ratio(path, total, max(sum(m.compress_size for m in members), 1))
            parts = []
            for i, m in enumerate(members):
                out = folder / str(i) / Path(m.filename).name  # never a path from the zip
                out.parent.mkdir()
                with z.open(m) as src, open(out, "wb") as dst:
                    _copy(path, src, dst, m.compress_size)
                parts.append(Part(f"{path} › {m.filename}", out))
            return parts
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise ImportFormatError(f"{path}: damaged zip file ({exc})") from None


def _check_ratio(path: Path, expanded: int, packed: int) -> None:
    if expanded > MAX_UNPACKED or (expanded > RATIO_FROM and expanded / packed > MAX_RATIO):
        raise ImportFormatError(
            f"{path}: expands to {expanded:,} bytes, {expanded / packed:,.0f}× its size; "
            f"refused (at most {MAX_UNPACKED >> 30} GiB, or {MAX_RATIO}× past "
            f"{RATIO_FROM >> 20} MB)")


def _copy(path: Path, src, dst, packed: int) -> None:
    """Copy while counting: a stream that expands past its bounds is stopped there (the
    declared sizes may lie)."""
    written = 0
    while chunk := src.read(CHUNK):
        written += len(chunk)
        if written > MAX_UNPACKED or (written > RATIO_FROM and written / packed > MAX_RATIO):
            _check_ratio(path, written, packed)
        dst.write(chunk)
