"""The one error type of the service API, with the code every API surface reports."""

from __future__ import annotations

import enum


class NotifyErrorCode(enum.StrEnum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    UNIQUE = "UNIQUE"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    INVALID_URL = "INVALID_URL"
    PRIVATE_TARGET = "PRIVATE_TARGET"
    INVALID_EMAIL = "INVALID_EMAIL"
    POSTBACK_ONLY = "POSTBACK_ONLY"
    MANUAL_RETRY_NOT_ALLOWED = "MANUAL_RETRY_NOT_ALLOWED"
    NOT_FAILED = "NOT_FAILED"
    CHANNEL_UNAVAILABLE = "CHANNEL_UNAVAILABLE"
    TOO_LARGE = "TOO_LARGE"
    LIMIT_REACHED = "LIMIT_REACHED"  # e.g. the surveys one checkout or order may report
    RATE_LIMITED = "RATE_LIMITED"  # too many anonymous calls from one client; try again later
    UNAVAILABLE = "UNAVAILABLE"  # a part this needs is missing here (e.g. Saleor is not installed)
    INTERNAL_ERROR = "INTERNAL_ERROR"  # an unexpected failure; details are in the server log


class NotifyError(Exception):
    """A refused request: nothing was changed. ``field`` names the input it concerns."""

    def __init__(self, code: NotifyErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"NotifyError({self.code.value}, {self.message!r}, field={self.field!r})"
