"""Schemathesis against the API in-process (the WSGI app; nothing leaves the process): every
operation, with valid and invalid input, as a store and as a supervisor, never answers 5xx.

A short, deterministic run: a few examples per operation and mode, the same ones every time."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from orderdesk.accounts.services import user_create
from orderdesk.conftest import order_payload

pytestmark = pytest.mark.django_db

EXAMPLES = 4


def in_test_transaction(app):
    """The app on the test's connection and transaction, as Django's test client runs it: no
    connection is closed when a request starts or ends."""

    def call(environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            response = app(environ, start_response)
            body = b"".join(response)
            response.close()
            return [body]
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)

    return call


@pytest.fixture
def schema(settings):
    settings.ORDERDESK_API_RATE_LIMIT = 1_000_000  # the run is many calls a minute by design
    settings.ORDERDESK_WEBHOOKS_ALLOW_PRIVATE = True  # no name look-ups
    app = in_test_transaction(get_wsgi_application())
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def examples_run(operation, mode: GenerationMode, headers: dict, failures: list[str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(headers=headers)
        declared = str(response.status_code) in operation.definition.raw["responses"]
        if response.status_code >= 500 or not declared:
            failures.append(
                f"{operation.label} ({mode.value}) -> {response.status_code}: "
                f"query={case.query!r} path={case.path_parameters!r} body={case.body!r}"
            )

    try:
        run()
    except Unsatisfiable:  # no invalid input exists for an operation without inputs
        assert mode is GenerationMode.NEGATIVE, operation.label


def answers_5xx(schema, token: str) -> list[str]:
    """Each operation's examples, valid and invalid; the calls that answered 5xx."""
    failures: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    for result in schema.get_all_operations():
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            examples_run(result.ok(), mode, headers, failures)
    return failures


def test_store_key_never_gets_5xx(schema, store_and_key, store_api):
    assert store_api.post("/api/v1/orders", order_payload("S-1")).status_code == 201
    assert answers_5xx(schema, store_and_key[1]) == []


def test_supervisor_token_never_gets_5xx(schema, store, store_api):
    assert store_api.post("/api/v1/orders", order_payload("S-1")).status_code == 201
    _, _, token = user_create(username="sup-st", role="supervisor", store_slugs=[store.slug])
    assert answers_5xx(schema, token) == []
