"""The OpenAPI document (architecture: Interfaces): valid, every reference resolvable, every answer declared."""

import json

import pytest
from openapi_spec_validator import validate

from orderdesk.orders.events import StoreEventType

# The calls router still answers plain dicts; it gets its schemas with its rewrite.
UNTYPED_PREFIXES: tuple[str, ...] = ()
ERROR_REFS = {
    "#/components/schemas/ErrorOut",
    "#/components/schemas/ValidationErrorOut",
}


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def resolves(document: dict, ref: str) -> bool:
    """Only references inside the document: nothing is fetched from elsewhere."""
    if not ref.startswith("#/"):
        return False
    node = document
    for part in ref[2:].split("/"):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def typed_operations(document: dict):
    for path, item in document["paths"].items():
        if path.startswith(UNTYPED_PREFIXES):
            continue
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_document_is_valid_openapi(document):
    validate(document)


def test_every_reference_resolves(document):
    refs = set(references(document))
    assert "#/components/schemas/OrderOut" in refs
    assert sorted(ref for ref in refs if not resolves(document, ref)) == []


def test_every_answer_with_a_body_names_its_schema(document):
    bare = [
        (name, status)
        for name, operation in typed_operations(document)
        for status, answer in operation["responses"].items()
        if "content" in answer and not list(references(answer["content"]))
    ]
    assert bare == []


def test_every_operation_declares_the_errors_it_can_answer(document):
    missing = []
    for name, operation in typed_operations(document):
        expected = set()
        if operation.get("security"):
            expected |= {"401", "429"}
        if operation["parameters"] or "requestBody" in operation:
            expected.add("422")
        if "requestBody" in operation:
            expected.add("413")
        missing += [(name, status) for status in sorted(expected - set(operation["responses"]))]
    assert missing == []


def test_error_answers_use_the_shared_schemas(document):
    others = [
        (name, status, ref)
        for name, operation in typed_operations(document)
        for status, answer in operation["responses"].items()
        if status.startswith("4")
        for ref in references(answer)
        if ref not in ERROR_REFS
    ]
    assert others == []
    assert document["paths"]["/api/v1/orders/{order_id}"]["get"]["responses"]["404"][
        "description"
    ] == ("Not found, or not the caller's: the two are not told apart")


def test_rate_limited_answer_is_declared_with_retry_after(document):
    answer = document["paths"]["/api/v1/orders"]["post"]["responses"]["429"]
    assert answer["headers"]["Retry-After"]["schema"] == {"type": "integer"}
    assert list(references(answer)) == ["#/components/schemas/ErrorOut"]
    assert "429" not in document["paths"]["/api/v1/inbound/{token}"]["post"]["responses"]


def test_intake_bodies_are_documented(document):
    single = document["paths"]["/api/v1/orders"]["post"]["requestBody"]
    bulk = document["paths"]["/api/v1/orders/bulk"]["post"]["requestBody"]
    assert json.dumps(single).count("#/components/schemas/OrderIn") == 1
    assert json.dumps(bulk).count("#/components/schemas/OrdersBulkIn") == 1
    order_in = document["components"]["schemas"]["OrderIn"]
    assert {"external_id", "customer", "items", "delivery", "payment"} <= set(order_in["required"])


def test_webhook_deliveries_are_documented_with_the_event_types(document):
    schemas = document["components"]["schemas"]
    assert schemas["StoreEventType"]["enum"] == StoreEventType.values
    delivery = document["webhooks"]["store-event"]["post"]
    assert list(references(delivery["requestBody"])) == ["#/components/schemas/StoreEventDocument"]
    assert schemas["StoreEventDocument"]["properties"]["data"] == {
        "$ref": "#/components/schemas/OrderOut"
    }
    webhook_in = schemas["WebhookIn"]["properties"]["events"]["anyOf"][0]
    assert webhook_in["items"]["enum"] == StoreEventType.values
