"""The JSON shapes every router shares: the error answers and the string formats.

Here, in core, because the app routers (each app's `apis.py`) sit below `api` in the layers and
may not import it.

Errors: `api.api` turns exceptions into these answers (ApplicationError and its kinds,
ValidationFailed, ninja's own validation, Http404, authentication); `api.middleware` answers
413 before a view runs. Views raise errors, they never return them, so these schemas describe
the answers and the handlers write them. An endpoint names the statuses it can answer:

    response={200: OrderOut, **error_responses(401, 403, 404, 422)}

Formats: the representations (`orders.representations`, each router's `*_data`) write
instants, dates and amounts as strings themselves, and webhooks carry the same strings. A schema
field typed `datetime` or `Decimal` would write them again on the way out, differently (Django's
encoder gives "Z" and milliseconds), so the schemas keep the strings as they are and name their
format."""

from typing import Annotated

from ninja import Schema
from pydantic import ConfigDict, Field, WithJsonSchema

IsoDateTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
IsoDate = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
# Two decimals, as a string so that no client reads it as a float.
Money = Annotated[
    str,
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["259990.00"]}),
]


class ErrorOut(Schema):
    """Every error answer: a stable code to act on and a message for people. Some codes carry
    details of their own next to these two (the order, the locality, the field...)."""

    model_config = ConfigDict(extra="allow")

    error: str = Field(description="a stable code, e.g. not_found", examples=["not_found"])
    message: str


class FieldErrorOut(Schema):
    field: str = Field(
        description="where the invalid value is, by its path in the request",
        examples=["items[0].price"],
    )
    code: str = Field(examples=["missing"])
    message: str


class ValidationErrorOut(ErrorOut):
    """422: the request is understood but refused. `errors` names every invalid value by its
    path; a refusal of a single value names it in `field` instead."""

    error: str = Field(
        description="validation_failed, or the code of the one refusal",
        examples=["validation_failed"],
    )
    errors: list[FieldErrorOut] = Field(None, description="every invalid value, each by its path")
    field: str = Field(None, description="the one invalid value, when `errors` is absent")


# Each error status this API answers (architecture: Interfaces): the schema of its body, what it means.
ERRORS: dict[int, tuple[type[ErrorOut], str]] = {
    401: (ErrorOut, "No credentials, or ones that are not (or no longer) valid"),
    403: (ErrorOut, "A credential of the wrong kind, or a role this endpoint does not serve"),
    404: (ErrorOut, "Not found, or not the caller's: the two are not told apart"),
    409: (ErrorOut, "The state has moved on (a lease no longer held, a file already imported)"),
    413: (ErrorOut, "The body is over the limit; answered before it is read"),
    422: (ValidationErrorOut, "Refused: every invalid value named by its path"),
    429: (ErrorOut, "Over the credential's requests a minute; Retry-After says when to retry"),
}


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The `response=` entries for the error statuses an endpoint can answer."""
    return {status: ERRORS[status][0] for status in statuses}


def error_description(status: int) -> str | None:
    """What an error status means here, for the document (ninja writes the HTTP phrase)."""
    return ERRORS[status][1] if status in ERRORS else None
