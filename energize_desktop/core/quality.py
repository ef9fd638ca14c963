"""Quality flags on readings, numbered as Green Button (ESPI) ReadingQuality codes.

Codes 8 and 9 are both 'estimated' (from a reference day, by interpolation); anything other
than VALID is shown as such on charts and counted in the data-quality appendix.
"""

from enum import IntEnum


class Quality(IntEnum):
    VALID = 0
    MANUALLY_EDITED = 7
    ESTIMATED_REFERENCE_DAY = 8
    ESTIMATED = 9
    QUESTIONABLE = 10
    DERIVED = 11

    @property
    def is_estimated(self) -> bool:
        return self in (Quality.ESTIMATED, Quality.ESTIMATED_REFERENCE_DAY)

    @classmethod
    def parse(cls, text: str | int) -> "Quality":
        """Accept a Green Button code or a name ('estimated', 'valid', 'edited')."""
        if isinstance(text, int) or str(text).strip().isdigit():
            return cls(int(text))
        key = str(text).strip().lower().replace(" ", "_").replace("-", "_")
        aliases = {"ok": "valid", "good": "valid", "actual": "valid", "edited": "manually_edited",
                   "estimate": "estimated", "est": "estimated", "e": "estimated", "a": "valid",
                   "bad": "questionable", "suspect": "questionable"}
        key = aliases.get(key, key)
        try:
            return cls[key.upper()]
        except KeyError:
            names = ", ".join(q.name.lower() for q in cls)
            raise ValueError(f"unknown quality {text!r}; expected a code or one of {names}") from None


# Codes whose time is counted as 'estimated' in rollups.
NOT_MEASURED = frozenset(int(q) for q in Quality if q is not Quality.VALID)
