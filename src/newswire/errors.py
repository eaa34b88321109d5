"""Domain errors. Each kind maps once to an HTTP status (api/errors.py) and a CLI message."""

from __future__ import annotations


class NewswireError(Exception):
    """Base of every error newswire reports to a user."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(NewswireError):
    status_code = 422


class NotFound(NewswireError):
    status_code = 404


class Unauthorized(NewswireError):
    status_code = 401


class Forbidden(NewswireError):
    status_code = 403


class Conflict(NewswireError):
    """The object changed since the caller read it, or already exists."""

    status_code = 409


class PreconditionRequired(NewswireError):
    status_code = 428


class TooManyRequests(NewswireError):
    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
