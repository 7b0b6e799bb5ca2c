"""Schemathesis against the API in-process (the WSGI app; nothing leaves the process): every
operation, with valid and invalid input, as a store and as a supervisor, never answers 5xx, and
answers only the statuses the OpenAPI document declares for it.

A short, deterministic run: a few examples per operation and mode, the same ones every time."""

import socket

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
from orderdesk.integrations import net
from orderdesk.integrations.services import connection_create, webhook_endpoint_create

pytestmark = pytest.mark.django_db

EXAMPLES = 8
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", None}


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
def offline(monkeypatch):
    """Nothing leaves the machine: the webhook URLs the run makes up resolve to loopback without
    asking DNS, and any other name look-up is refused and recorded, for the test to fail on."""
    looked_up: list[str] = []

    def refused(host, *args, **kwargs):
        if host not in LOOPBACK_NAMES:
            looked_up.append(str(host))
            raise socket.gaierror(socket.EAI_NONAME, "no look-ups in this test")
        return real_getaddrinfo(host, *args, **kwargs)

    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(net, "resolve", lambda host, port: ["127.0.0.1"])
    monkeypatch.setattr(socket, "getaddrinfo", refused)
    yield
    assert looked_up == []


@pytest.fixture
def schema(settings, offline):
    settings.ORDERDESK_API_RATE_LIMIT = 1_000_000  # the run is many calls a minute by design
    settings.ORDERDESK_WEBHOOKS_ALLOW_PRIVATE = True  # the made-up URLs lead to loopback
    app = in_test_transaction(get_wsgi_application())
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def examples_run(
    operation, mode: GenerationMode, headers: dict, failures: list[str], path: dict | None = None
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        if failures:
            return  # after a failed query the test's transaction is gone: the first one tells
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


def undeclared_or_5xx(schema, token: str, ids: dict[str, str]) -> list[str]:
    """Each operation's examples, valid and invalid, with made-up ids and, but for a DELETE
    (which would take the thing away from the operations after it), with the ids of things that
    exist; the calls that answered 5xx or a status the operation does not declare."""
    failures: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        names = {parameter.name for parameter in operation.path_parameters}
        known = {name: ids[name] for name in names if name in ids}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            examples_run(operation, mode, headers, failures)
            if known and known.keys() == names and operation.method.upper() != "DELETE":
                examples_run(operation, mode, headers, failures, path=known)
    return failures


@pytest.fixture
def ids(store, store_api) -> dict[str, str]:
    """An order, a webhook endpoint and a platform connection of the store, by path parameter."""
    created = store_api.post("/api/v1/orders", order_payload("S-1"))
    assert created.status_code == 201, created.content
    endpoint = webhook_endpoint_create(store=store, url="https://127.0.0.1:9/hook")
    connection, token = connection_create(store=store, platform="json", secret="s3cret-for-tests")
    return {
        "order_id": created.json()["id"],
        "endpoint_id": str(endpoint.pk),
        "connection_id": str(connection.pk),
        "token": token,
    }


def test_store_key_gets_no_5xx_and_only_declared_answers(schema, store_and_key, ids):
    assert undeclared_or_5xx(schema, store_and_key[1], ids) == []


def test_supervisor_token_gets_no_5xx_and_only_declared_answers(schema, store, ids):
    _, _, token = user_create(username="sup-st", role="supervisor", store_slugs=[store.slug])
    assert undeclared_or_5xx(schema, token, ids) == []
