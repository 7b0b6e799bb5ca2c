"""Sign-in throttling: 5 failures for a username, or 20 from one address, within 15 minutes lock
sign-in out for 15 minutes (429, the right password included); an admin sees and lifts it. API
credentials have a request limit a minute (429 with Retry-After)."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from orderdesk.accounts.services import user_create
from orderdesk.accounts.throttle import ADDRESS_FAILURE_LIMIT, USERNAME_FAILURE_LIMIT
from orderdesk.core.ratelimit import RATE_LIMITED
from orderdesk.stores.services import store_create

pytestmark = pytest.mark.django_db
LOCKED_RU = "Слишком много неудачных попыток входа"


@pytest.fixture
def users(store):
    created = {}
    for name in ("op1", "op2"):
        user, password, _ = user_create(username=name, role="operator", store_slugs=[store.slug])
        created[name] = (user, password)
    return created


def sign_in(username: str, password: str, address: str = "10.0.0.1", language: str = "ru"):
    return Client().post(
        "/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        headers={"Accept-Language": language},
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_five_failures_lock_the_username_out_even_with_the_right_password(users):
    _, password = users["op1"]
    for _ in range(USERNAME_FAILURE_LIMIT - 1):
        assert sign_in("op1", "wrong").status_code == 200
    locked = sign_in("op1", "wrong")
    assert locked.status_code == 429
    assert LOCKED_RU in locked.content.decode()
    refused = sign_in("op1", password)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert not signed_in(refused)
    assert signed_in(sign_in("op2", users["op2"][1]))  # another user at the same address


def test_four_failures_then_the_right_password_sign_in(users):
    for _ in range(USERNAME_FAILURE_LIMIT - 1):
        sign_in("op1", "wrong")
    assert signed_in(sign_in("op1", users["op1"][1]))


def test_twenty_failures_from_one_address_lock_it_out_for_every_username(users):
    for attempt in range(ADDRESS_FAILURE_LIMIT):
        sign_in(f"guess{attempt % 10}", "wrong", address="10.9.9.9")
    assert sign_in("op2", users["op2"][1], address="10.9.9.9").status_code == 429
    assert signed_in(sign_in("op2", users["op2"][1], address="10.1.2.3"))


def test_the_lockout_ends_after_fifteen_minutes(users):
    for _ in range(USERNAME_FAILURE_LIMIT):
        sign_in("op1", "wrong")
    with time_machine.travel(timezone.now() + timedelta(minutes=14)):
        assert sign_in("op1", users["op1"][1]).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert signed_in(sign_in("op1", users["op1"][1]))


def test_the_message_is_in_the_users_language(users):
    for _ in range(USERNAME_FAILURE_LIMIT):
        sign_in("op1", "wrong")
    assert "Кіру әрекеттері тым көп" in sign_in("op1", "x", language="kk").content.decode()
    assert "Too many failed sign-in attempts" in sign_in("op1", "x", language="en").content.decode()


def test_an_admin_sees_the_lockout_and_lifts_it(users):
    for _ in range(USERNAME_FAILURE_LIMIT):
        sign_in("op1", "wrong")
    admin, _, _ = user_create(username="boss", role="admin")
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "op1" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="op1")
    lifted = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert lifted.status_code == 302
    assert not AccessAttempt.objects.filter(username="op1").exists()
    assert signed_in(sign_in("op1", users["op1"][1]))


def test_an_api_key_past_its_limit_gets_429_with_retry_after(settings, store_api, db):
    settings.ORDERDESK_API_RATE_LIMIT = 3
    _, other_key = store_create(name="Другой", slug="other")
    other = Client()
    with time_machine.travel(timezone.now().replace(second=10), tick=False):
        for _ in range(3):
            assert store_api.get("/api/v1/orders").status_code == 200
        refused = store_api.get("/api/v1/orders")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "50"
        assert refused.json()["error"] == RATE_LIMITED
        headers = {"Authorization": f"Bearer {other_key}"}
        assert other.get("/api/v1/orders", headers=headers).status_code == 200
    with time_machine.travel(timezone.now().replace(second=10) + timedelta(minutes=1)):
        assert store_api.get("/api/v1/orders").status_code == 200
