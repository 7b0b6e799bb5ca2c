"""The integrations routers answer every key their `*_data` functions write: the schemas that
describe the answers cut nothing (ninja answers with the schema's fields only)."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from orderdesk.integrations.apis import connection_data, endpoint_data, log_data
from orderdesk.integrations.models import Connection, WebhookEndpoint, WebhookLogEntry
from orderdesk.integrations.services import webhooks_dispatch

pytestmark = pytest.mark.django_db


def as_json(data):
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def test_endpoint_and_its_log_are_answered_whole(store_api, receiver, make_order):
    created = store_api.post("/api/v1/webhooks", {"url": receiver.url}).json()
    endpoint = WebhookEndpoint.objects.get()
    assert created == as_json(endpoint_data(endpoint, with_secret=True))
    receiver.answer(500)
    make_order()
    webhooks_dispatch(now=timezone.now())
    endpoint.refresh_from_db()
    assert store_api.get(f"/api/v1/webhooks/{endpoint.pk}").json() == as_json(
        endpoint_data(endpoint)
    )
    log = store_api.get(f"/api/v1/webhooks/{endpoint.pk}/log").json()
    (entry,) = WebhookLogEntry.objects.all()
    assert (entry.kind, entry.response_status, entry.outcome) == ("attempt", 500, "retry")
    assert log == {"items": [as_json(log_data(entry))], "count": 1, "offset": 0, "limit": 50}


def test_connections_are_answered_whole_with_tildas_key_name_only(store_api):
    tilda = store_api.post("/api/v1/connections", {"platform": "tilda", "secret": "k" * 12})
    json_one = store_api.post("/api/v1/connections", {"platform": "json", "secret": "k" * 12})
    assert "api_key_name" in tilda.json() and "api_key_name" not in json_one.json()
    listed = store_api.get("/api/v1/connections").json()
    assert listed == [as_json(connection_data(c)) for c in Connection.objects.all()]
