"""The application's own errors: every message names what was wrong and what was expected."""


class EnergizeError(Exception):
    """Base class for errors shown to users as they are."""


class ValidationError(EnergizeError, ValueError):
    """A value given by a user or a file is not acceptable."""


class UnitError(ValidationError):
    """A unit is unknown or cannot be converted to the one asked for."""
