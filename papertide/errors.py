"""Exceptions with messages meant for users: the CLI prints them as one line, no traceback."""


class PapertideError(Exception):
    """Base class: anything papertide reports to a user."""


class InputError(PapertideError):
    """A file, option or value the user gave cannot be used."""


class SourceUnavailableError(PapertideError):
    """A remote service could not be reached or kept failing after retries."""


class NotFoundError(PapertideError):
    """Nothing of that id or name is in the store (a paper, an organisation)."""


class PaperNotFoundError(NotFoundError):
    """No paper with that id is in the store."""


class StoreError(PapertideError):
    """The database cannot be opened or is not a papertide store."""


class AuthError(PapertideError):
    """Wrong credentials, or an action that needs a user (or an admin) without one."""


class ConflictError(InputError):
    """The action was already done (a paper submitted twice for a day, a taken username)."""


class RateLimitError(PapertideError):
    """Too many writes in a window; `retry_after_s` says when to try again."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
