"""What every file reader gives the importer (the `FileSource` Protocol) and what a reader sees
of a file to say whether it is its format (the `Sample`: the first lines, decoded)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol

import polars as pl

from energize_desktop.imports.channels import ChannelSpec
from energize_desktop.imports.csv_format import ImportFormatError
from energize_desktop.imports.textfile import (
    decode_sample,
    detect_encoding,
    read_samples,
)


class FileSource(Protocol):
    label: str  # "AU NEM12 interval data", shown in the import summary
    notes: list[str]  # what the reader decided and why, for the summary
    dst_notes: list[str]  # clock changes met and how they were placed
    channels: dict[str, ChannelSpec]  # filled as frames are read: name -> unit, kind, ...

    def frames(self) -> Iterator[tuple[pl.DataFrame, float]]:
        """(frame, fraction of the file read): columns line, meter (channel name), ts (µs UTC),
        value, quality. Raises ImportFormatError naming the file, line and what was expected."""


@dataclass(frozen=True)
class Sample:
    path: Path
    lines: list[str]  # the first non-blank lines, decoded, without a BOM

    @classmethod
    def of(cls, path: Path) -> "Sample":
        head, _, size = read_samples(path)
        if not size or not head.strip():
            raise ImportFormatError(f"{path}: the file is empty")
        encoding, _ = detect_encoding(head)
        lines = [ln.lstrip("\ufeff").strip()
                 for ln in decode_sample(head, encoding, from_start=True) if ln.strip()]
        return cls(Path(path), lines)

    @property
    def first(self) -> str:
        return self.lines[0] if self.lines else ""
