"""Webhook URLs that lead inside the network are refused, at registration and at send time."""

import pytest

from orderdesk.integrations.models import AttemptOutcome, WebhookEndpoint, WebhookLogEntry
from orderdesk.integrations.net import (
    ADDRESS_NOT_ALLOWED,
    HOST_UNRESOLVED,
    URL_INVALID,
    address_is_public,
)
from orderdesk.integrations.services import webhook_endpoint_create, webhooks_dispatch

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://127.1.2.3:8443/hook",
        "https://10.0.0.5/hook",
        "https://172.16.4.4/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://[::1]/hook",
        "https://[fd00:ec2::254]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://localhost/hook",
        "https://metadata.google.internal/computeMetadata/v1/",
    ],
)
def test_registration_refuses_internal_addresses(store_api, url):
    response = store_api.post("/api/v1/webhooks", {"url": url})
    assert response.status_code == 422, response.content
    assert response.json()["error"] == ADDRESS_NOT_ALLOWED
    assert not WebhookEndpoint.objects.exists()


def test_a_name_that_resolves_inside_is_refused(store):
    from orderdesk.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        webhook_endpoint_create(
            store=store,
            url="https://hooks.shop.example/orderdesk",
            resolver=lambda host, port: ["93.184.215.14", "10.1.2.3"],
        )
    assert refused.value.code == ADDRESS_NOT_ALLOWED
    assert not WebhookEndpoint.objects.exists()


def test_public_address_is_accepted(store):
    endpoint = webhook_endpoint_create(
        store=store,
        url="https://hooks.shop.example/orderdesk",
        resolver=lambda host, port: ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    )
    assert endpoint.url == "https://hooks.shop.example/orderdesk"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://93.184.215.14/hook", URL_INVALID),
        ("ftp://93.184.215.14/hook", URL_INVALID),
        ("https://user:pw@93.184.215.14/hook", URL_INVALID),
        ("https:///nohost", URL_INVALID),
        ("https://no-such-host.invalid/hook", HOST_UNRESOLVED),
    ],
)
def test_registration_refuses_bad_urls(store_api, url, code):
    response = store_api.post("/api/v1/webhooks", {"url": url})
    assert response.status_code == 422
    assert response.json()["error"] == code


def test_private_addresses_allowed_by_the_development_flag(store_api, settings):
    settings.ORDERDESK_WEBHOOKS_ALLOW_PRIVATE = True
    response = store_api.post("/api/v1/webhooks", {"url": "https://127.0.0.1:9/hook"})
    assert response.status_code == 201


def test_send_time_check_refuses_after_dns_resolution(store, receiver, make_order, settings):
    port = receiver.url.split(":")[2].split("/")[0]
    webhook_endpoint_create(store=store, url=f"http://localhost:{port}/hooks")
    settings.ORDERDESK_WEBHOOKS_ALLOW_PRIVATE = False  # production again: localhost resolves inside
    make_order()
    assert webhooks_dispatch() == 1
    assert receiver.requests == []
    entry = WebhookLogEntry.objects.get()
    assert entry.error.startswith("refused:")
    assert (entry.response_status, entry.outcome) == (None, AttemptOutcome.RETRY)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.255.255.255", False),
        ("169.254.169.254", False),
        ("100.100.100.200", False),
        ("224.0.0.1", False),
        ("::", False),
        ("::ffff:10.0.0.1", False),
        ("fe80::1%eth0", False),
    ],
)
def test_address_is_public(address, public):
    assert address_is_public(address) is public


def test_changing_the_url_to_an_internal_address_is_refused(store_api, settings):
    settings.ORDERDESK_WEBHOOKS_ALLOW_PRIVATE = True
    created = store_api.post("/api/v1/webhooks", {"url": "https://127.0.0.1:9/hook"}).json()
    settings.ORDERDESK_WEBHOOKS_ALLOW_PRIVATE = False
    response = store_api.patch(
        f"/api/v1/webhooks/{created['id']}", {"url": "https://169.254.169.254/latest/"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == ADDRESS_NOT_ALLOWED
    assert WebhookEndpoint.objects.get().url == "https://127.0.0.1:9/hook"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of the metadata service
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
        ("2002:a00:1::1", False),  # 6to4 of 10.0.0.1
        ("2002:808:808::1", True),  # 6to4 of 8.8.8.8
        ("::7f00:1", False),  # IPv4-compatible 127.0.0.1
        ("::a9fe:a9fe", False),  # IPv4-compatible 169.254.169.254
    ],
)
def test_ipv6_forms_of_internal_ipv4_addresses_are_not_public(address, public):
    """An IPv6 address that carries an IPv4 one (NAT64, 6to4, IPv4-compatible) is judged by the
    IPv4 address it leads to: on an IPv6-only host with NAT64 it reaches exactly that one."""
    assert address_is_public(address) is public


def test_url_longer_than_can_be_kept_is_named(store_api, settings):
    settings.ORDERDESK_WEBHOOKS_ALLOW_PRIVATE = True
    response = store_api.post("/api/v1/webhooks", {"url": "https://8.8.8.8/" + "a" * 2000})
    assert response.status_code == 422
    assert response.json() == {
        "error": URL_INVALID,
        "message": "url: at most 2000 characters",
        "field": "url",
    }
    assert not WebhookEndpoint.objects.exists()
