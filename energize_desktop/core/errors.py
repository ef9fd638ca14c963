"""The application's own errors: every message names what was wrong and what was expected.

An error about one input names it as a `field` (the name the code uses: `period`, `train`,
`decimal`), never as a command-line flag or a window label: the CLI puts the flag before the
message, the window the label of its control (cli/common.error_text, ui/dialogs).
"""


class EnergizeError(Exception):
    """Base class for errors shown to users as they are."""

    def __init__(self, *args, field: str | None = None):
        super().__init__(*args)
        self.field = field


class ValidationError(EnergizeError, ValueError):
    """A value given by a user or a file is not acceptable."""


class UnitError(ValidationError):
    """A unit is unknown or cannot be converted to the one asked for."""
