"""Reading the bytes of a text file: encoding detection and head/tail samples."""

from __future__ import annotations

import codecs
import gzip
import os
from pathlib import Path

SAMPLE_BYTES = 64 * 1024

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"))


def bom_length(encoding: str) -> int:
    return {"utf-8-sig": 3, "utf-16-le": 2, "utf-16-be": 2}.get(encoding, 0)


def detect_encoding(head: bytes) -> tuple[str, str]:
    """(encoding, how it was decided) from the first bytes of a file."""
    for bom, name in BOMS:
        if head.startswith(bom):
            return name, f"byte-order mark ({name})"
    if head:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > len(odd) * 0.3 and even.count(0) < len(even) * 0.05:
            return "utf-16-le", "every second byte is zero (UTF-16 little-endian without BOM)"
        if even.count(0) > len(even) * 0.3 and odd.count(0) < len(odd) * 0.05:
            return "utf-16-be", "every second byte is zero (UTF-16 big-endian without BOM)"
    try:
        head.decode("utf-8")
        return "utf-8", "valid UTF-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut by the sample's end
            return "utf-8", "valid UTF-8"
    return "cp1252", "not UTF-8; read as Windows-1252"


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def read_samples(path: Path) -> tuple[bytes, bytes, int]:
    """(head, tail, size): the first and last SAMPLE_BYTES of the file (tail empty if small).

    A gzip file gives its decompressed head only (its tail would cost a full read).
    """
    size = os.path.getsize(path)
    if size and is_gzip(path):
        with gzip.open(path, "rb") as f:
            try:
                return f.read(SAMPLE_BYTES), b"", size
            except (OSError, EOFError) as exc:
                from energize_desktop.imports.csv_format import ImportFormatError

                raise ImportFormatError(f"{path}: damaged gzip file ({exc})") from None
    with open(path, "rb") as f:
        head = f.read(SAMPLE_BYTES)
        tail = b""
        if size > 2 * SAMPLE_BYTES:
            f.seek(size - SAMPLE_BYTES)
            tail = f.read()
    return head, tail, size


def decode_sample(data: bytes, encoding: str, *, from_start: bool) -> list[str]:
    """Whole lines of a sample: a partial first line (tail) or last line (head) is dropped."""
    if encoding.startswith("utf-16") and len(data) % 2:
        data = data[:-1] if from_start else data[1:]
    text = data.decode(encoding, errors="replace")
    lines = text.splitlines()
    if not from_start and lines:
        lines = lines[1:]
    if from_start and lines and not text.endswith(("\n", "\r")) and len(data) >= SAMPLE_BYTES:
        lines = lines[:-1]
    return lines
