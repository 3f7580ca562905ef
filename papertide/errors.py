"""Exceptions with messages meant for users: the CLI prints them as one line, no traceback."""


class PapertideError(Exception):
    """Base class: anything papertide reports to a user."""


class InputError(PapertideError):
    """A file, option or value the user gave cannot be used."""


class SourceUnavailableError(PapertideError):
    """A remote service could not be reached or kept failing after retries."""


class PaperNotFoundError(PapertideError):
    """No paper with that id is in the store."""


class StoreError(PapertideError):
    """The database cannot be opened or is not a papertide store."""
