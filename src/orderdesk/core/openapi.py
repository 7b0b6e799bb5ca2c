"""Request bodies the OpenAPI document shows although ninja does not read them.

Order intake reads its JSON body itself, so that every invalid field is named in intake's own
terms and valid orders of a bulk call are stored even when others fail. Its body schema is
still the document's: `json_body` gives the operation's `openapi_extra`, and the API adds the
body's schemas to the document's components, where its `$ref`s point. In core, so that the
app routers, below `api` in the layers, can use it."""

from typing import Any

from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import BaseModel

_body_schemas: dict[str, dict[str, Any]] = {}


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` saying the body is `model` as JSON (the model is not used to read it)."""
    schema = model.model_json_schema(
        ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
    )
    _body_schemas.update(schema.pop("$defs", {}))
    _body_schemas[model.__name__] = schema
    ref = {"$ref": REF_TEMPLATE.format(model=model.__name__)}
    return {"requestBody": {"content": {"application/json": {"schema": ref}}, "required": True}}


def body_schemas() -> dict[str, dict[str, Any]]:
    """The components `json_body` bodies refer to, for the document's `components.schemas`."""
    return dict(_body_schemas)


def file_answer(name: str, description: str, media_types: tuple[str, ...]) -> dict[str, Any]:
    """A 200 answer that is a file (PDF, Excel): a component `name` of binary content, for each
    media type, so every answer with a body names its schema."""
    _body_schemas[name] = {"type": "string", "format": "binary", "description": description}
    ref = {"$ref": REF_TEMPLATE.format(model=name)}
    return {
        "description": description,
        "content": {media_type: {"schema": ref} for media_type in media_types},
    }
