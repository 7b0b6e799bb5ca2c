"""String formats of the JSON the API writes, for the schemas that describe it.

The representations (`orders.representations`, each router's `*_data`) write instants, dates
and amounts as strings themselves, and webhooks carry the same strings. A schema field typed
`datetime` or `Decimal` would write them again on the way out, differently (Django's encoder
gives "Z" and milliseconds), so the schemas keep the strings as they are and name their format."""

from typing import Annotated

from pydantic import WithJsonSchema

IsoDateTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
IsoDate = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
# Two decimals, as a string so that no client reads it as a float.
Money = Annotated[
    str,
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["259990.00"]}),
]
