"""A text file as blocks of whole lines in UTF-8, with the line number each block starts at."""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

from energize_desktop.imports.textfile import bom_length, is_gzip

BLOCK_BYTES = 8 * 1024 * 1024  # ~230 k rows of a long file: bounded memory, full speed


@dataclass(frozen=True)
class Block:
    data: bytes  # whole lines, UTF-8
    first_line: int  # 1-based line number of the block's first line
    done_bytes: int  # bytes of the file consumed so far (for progress)
    total_bytes: int


def blocks(path: Path, encoding: str, skip_lines: int, block_bytes: int = BLOCK_BYTES):
    """Yield blocks after `skip_lines` lines; memory is bounded by two blocks."""
    total = os.path.getsize(path)
    utf8 = encoding in ("utf-8", "utf-8-sig")
    with open(path, "rb") as raw:
        packed = is_gzip(path)
        stream = gzip.GzipFile(fileobj=raw) if packed else raw
        stream.read(bom_length(encoding))
        source = stream if utf8 else _Transcoder(stream, encoding)
        line = 1
        for _ in range(skip_lines):
            source.readline()
            line += 1
        rest = b""
        while True:
            piece = source.read(block_bytes)
            if not piece:
                break
            data = rest + piece
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                rest = data
                continue
            data, rest = data[:cut], data[cut:]
            yield Block(data, line, raw.tell(), total)
            line += data.count(b"\n")
        if rest.strip():
            yield Block(rest + b"\n", line, total, total)


class _Transcoder:
    """Reads another encoding and hands out UTF-8 bytes."""

    def __init__(self, raw, encoding: str):
        import io

        self.text = io.TextIOWrapper(raw, encoding=encoding, newline="")

    def readline(self) -> bytes:
        return self.text.readline().encode("utf-8")

    def read(self, n: int) -> bytes:
        return self.text.read(n // 2).encode("utf-8")
