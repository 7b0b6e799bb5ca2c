"""Errors that services raise for callers to show: a stable code, a message, details."""

from typing import Any


class ApplicationError(Exception):
    """A refusal by the domain (not a bug): mapped to 4xx by the API and shown by the screens."""

    status_code = 400

    def __init__(
        self, code: str, message: str = "", *, status_code: int | None = None, **details: Any
    ):
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.details = details
        if status_code is not None:
            self.status_code = status_code


class NotFoundError(ApplicationError):
    status_code = 404


class ValidationFailed(ApplicationError):
    """Several named problems at once: `errors` is a list of {"field", "code", "message"}."""

    status_code = 422

    def __init__(self, errors: list[dict[str, str]], message: str = "validation failed"):
        super().__init__("validation_failed", message, errors=errors)
        self.errors = errors


def field_path(loc: tuple[int | str, ...]) -> str:
    """('items', 0, 'quantity') → 'items[0].quantity'."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path
