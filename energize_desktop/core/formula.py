"""Virtual meters: a signed, scaled sum of other meters, written as users write it.

    Main incomer + Rooftop PV - Grid export
    Main incomer - 0.5 * "AHU-1" - Lighting

Terms are separated by ` + ` or ` - ` with spaces around them (a name may hold a hyphen, as
AHU-1 does); a term may start with a number and `*` (its scale); a name may be quoted. The
parse is pure: which meters the names mean is decided by the caller (jobs/virtual.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from energize_desktop.core.errors import ValidationError

_SPLIT = re.compile(r"\s+([+-])\s+")
_SCALED = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*[*×]\s*(.+)$")


@dataclass(frozen=True)
class Term:
    scale: float
    name: str  # as written: a meter's name or id


def parse_formula(text: str) -> list[Term]:
    """The terms of `text`; raises ValidationError (field `formula`) naming what is wrong."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("formula: empty; expected e.g. \"Main + PV - Export\"",
                              field="formula")
    if re.search(r"(^|\s)[+-]$", text):
        raise ValidationError(f"formula {text!r}: ends with an operator; expected a meter after "
                              "it", field="formula")
    sign = 1.0
    if text[0] in "+-" and (len(text) == 1 or not text[1].isdigit()):
        sign, text = (-1.0 if text[0] == "-" else 1.0), text[1:].strip()
    parts = _split_outside_quotes(text)
    terms = [_term(sign, parts[0])]
    for op, body in zip(parts[1::2], parts[2::2]):
        terms.append(_term(-1.0 if op == "-" else 1.0, body))
    return terms


def _split_outside_quotes(text: str) -> list[str]:
    """`_SPLIT.split`, but a " - " inside a quoted name ("AHU - North") is part of the name."""
    masked, quote = [], None
    for ch in text:
        if quote is None and ch in "\"'":
            quote = ch
        elif ch == quote:
            quote = None
        masked.append("x" if quote is not None and ch != quote else ch)
    parts, at = [], 0
    for m in _SPLIT.finditer("".join(masked)):
        parts += [text[at:m.start()], m.group(1)]
        at = m.end()
    return parts + [text[at:]]


def _term(sign: float, body: str) -> Term:
    scale = 1.0
    m = _SCALED.match(body)
    if m:
        scale, body = float(m[1]), m[2]
    name = body.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'":
        name = name[1:-1].strip()
    if not name:
        raise ValidationError("formula: a term has no meter name", field="formula")
    if scale == 0 or scale != scale or abs(scale) == float("inf"):
        raise ValidationError(f"formula: term {name!r}: scale must be a non-zero number",
                              field="formula")
    return Term(sign * scale, name)


def format_formula(terms: list[tuple[float, str]]) -> str:
    """The formula as text from (scale, name) pairs — how it is shown and exported."""
    out = []
    for i, (scale, name) in enumerate(terms):
        plain = not _SPLIT.search(f" {name} ") and name[:1] not in "+-\"'" and \
            not name[:1].isdigit() and not _SCALED.match(name)
        shown = name if plain else f'"{name}"'
        magnitude = abs(scale)
        body = shown if magnitude == 1 else f"{magnitude:g} * {shown}"
        if i == 0:
            out.append(body if scale > 0 else f"-{body}")
        else:
            out.append(f"{'+' if scale > 0 else '-'} {body}")
    return " ".join(out)
