"""Shared fixtures: stores, staff and API clients."""

import json

import pytest
from django.test import Client, override_settings

from orderdesk.accounts.services import user_create
from orderdesk.stores.services import store_create


@pytest.fixture(autouse=True, scope="session")
def password_hasher_fast():
    """Users are made in most fixtures and log in in many tests: the production hasher (PBKDF2,
    a million rounds) spends a good part of a second on each; MD5 checks the same flows at once."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


class ApiClient:
    """A test client that speaks JSON with a bearer credential."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params):
        return self.client.get(path, params, headers=self._headers())

    def post(self, path: str, body=None, raw: bytes | None = None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(
            path, data, content_type="application/json", headers=self._headers()
        )

    def put(self, path: str, body=None):
        return self.client.put(
            path, json.dumps(body or {}), content_type="application/json", headers=self._headers()
        )

    def patch(self, path: str, body=None):
        return self.client.patch(
            path, json.dumps(body or {}), content_type="application/json", headers=self._headers()
        )

    def delete(self, path: str):
        return self.client.delete(path, headers=self._headers())


@pytest.fixture
def store_and_key(db):
    return store_create(name="Мебель Плюс", slug="mebel")


@pytest.fixture
def store(store_and_key):
    return store_and_key[0]


@pytest.fixture
def store_api(store_and_key) -> ApiClient:
    return ApiClient(store_and_key[1])


@pytest.fixture
def other_store_api(db) -> ApiClient:
    _, key = store_create(name="Другой магазин", slug="other")
    return ApiClient(key)


@pytest.fixture
def operator_and_token(store):
    user, _, token = user_create(
        username="op1", role="operator", store_slugs=[store.slug], languages=["ru", "kk"]
    )
    return user, token


@pytest.fixture
def operator(operator_and_token):
    return operator_and_token[0]


@pytest.fixture
def operator_api(operator_and_token) -> ApiClient:
    return ApiClient(operator_and_token[1])


@pytest.fixture
def supervisor(store):
    user, _, _ = user_create(
        username="sup1", role="supervisor", store_slugs=[store.slug], languages=["ru"]
    )
    return user


def order_payload(external_id: str = "A-1001", **overrides) -> dict:
    """A valid order as a store would send it (architecture: Interfaces), with invented personal data."""
    payload = {
        "external_id": external_id,
        "source": "website",
        "customer": {"name": "Айгуль Тестова", "phone": "+7 701 123 45 67", "email": "a@example.kz", "language": "kk"},
        "items": [
            {"sku": "HRF-450", "name": "Холодильник", "quantity": 1, "price": "259990.00", "category": "fridges", "attributes": {}}
        ],
        "delivery": {
            "locality": "Алматы", "street": "Абая", "house": "10", "apartment": "25", "entrance": "2",
            "floor": "5", "intercom": "25К", "elevator": "passenger", "date": "2026-11-25", "comment": "",
        },
        "payment": {"method": "cash_on_delivery"},
        "comment": "",
    }  # fmt: skip
    for key, value in overrides.items():
        payload[key] = value
    return payload


@pytest.fixture
def make_payload():
    return order_payload
