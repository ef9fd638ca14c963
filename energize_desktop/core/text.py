"""Names from files and brokers shown safely: a control character (a terminal escape, a bell, a
bidirectional override that reorders what a reader sees) is written as its escape, never acted
upon. The name itself is stored as it came."""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, keep: str = "\n\t") -> str:
    """`text` with every control character but those in `keep` written as \\xNN or \\uNNNN."""
    def escape(m: re.Match) -> str:
        ch = m.group(0)
        if ch in keep:
            return ch
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL.sub(escape, text)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A text cell for a CSV a spreadsheet will open: one that would run as a formula (it starts
    with = + - @, a tab or a carriage return — OWASP's CSV injection advice) gets a leading
    apostrophe, so it is shown, never run."""
    return "'" + text if text.startswith(FORMULA_START) else text
