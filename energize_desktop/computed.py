"""Results that are slow to compute and never change for a given input, kept as JSON in the
user's data folder (`<data dir>/cache/NAME.json`) so a short CLI command does not redo them:
the public holidays of a country (loading `holidays` costs 0.25 s) and the schema our
migrations make (0.05 s of every open).

A file holds one `stamp` (what the values depend on: a package's file, the migrations' text)
and its entries; another stamp starts it afresh. Any read or write error is a cache miss, never
an error: the value is computed as if there were no cache. Values are JSON data, never code.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable

from energize_desktop import paths


def cached(name: str, stamp: str | None, key: str, compute: Callable[[], Any]) -> Any:
    """`compute()`'s JSON value, from the cache when it holds `key` under `stamp`. With no
    stamp (nothing to key on, e.g. a frozen app's packages) it is always computed."""
    if stamp is None:
        return compute()
    entries = _load(name, stamp)
    if key in entries:
        return entries[key]
    value = compute()
    entries[key] = value
    _store(name, stamp, entries)
    return value


def file_stamp(path: str | None) -> str | None:
    """A stamp that changes when the file does (size and modification time)."""
    if not path or not os.path.isfile(path):
        return None
    st = os.stat(path)
    return f"{st.st_size}:{st.st_mtime_ns}"


def _path(name: str):
    return paths.data_dir() / "cache" / f"{name}.json"


def _load(name: str, stamp: str) -> dict:
    try:
        data = json.loads(_path(name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("stamp") != stamp:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _store(name: str, stamp: str, entries: dict) -> None:
    path = _path(name)
    try:  # written whole, then renamed over the old one: a reader never sees half a file
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"stamp": stamp, "entries": entries}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only data folder: computed each time, nothing is wrong
