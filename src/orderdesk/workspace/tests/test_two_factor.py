"""Two-factor sign-in: supervisors and admins of a store that requires it enroll an authenticator
app and give a code (or a recovery code, once) before any screen; operators are never asked."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from orderdesk.accounts.services import user_api_token_issue, user_create
from orderdesk.accounts.two_factor import (
    RECOVERY_CODE_COUNT,
    user_recovery_codes_issue,
    user_two_factor_asked,
    user_two_factor_required,
)
from orderdesk.conftest import ApiClient
from orderdesk.stores.services import store_create

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
WRONG_RU = "Неверный код"
THROTTLED_RU = "Слишком много неверных кодов"


def totp_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def strict_store(store):
    store.require_two_factor = True
    store.save(update_fields=["require_two_factor"])
    return store


def sign_in(user) -> Client:
    """The real sign-in form, as a person uses it (axes throttling included)."""
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def test_required_only_where_the_store_says_so(store, supervisor, operator):
    admin, _, _ = user_create(username="adm", role="admin")
    assert not user_two_factor_required(user=supervisor)
    assert not user_two_factor_required(user=admin)
    assert sign_in(supervisor).get("/live/").status_code == 200

    store.require_two_factor = True
    store.save(update_fields=["require_two_factor"])
    other_supervisor, _, _ = user_create(username="sup2", role="supervisor")
    store_create(name="Другой магазин", slug="other")

    assert user_two_factor_required(user=supervisor)
    assert user_two_factor_required(user=admin)  # an admin reaches every store
    assert not user_two_factor_required(user=other_supervisor)  # none of their stores asks
    assert not user_two_factor_asked(user=operator)


def test_screens_lead_to_enrollment_until_a_code_is_given(strict_store, supervisor, make_order):
    order = make_order()
    client = sign_in(supervisor)

    for path in ("/live/", f"/orders/{order.pk}/", "/admin/", "/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/two-factor/enroll/?next="), path
    response = client.get(
        "/live/leases/00000000-0000-0000-0000-000000000000/release/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/two-factor/enroll/")


def test_enrollment_shows_the_key_and_a_qr_code_then_ten_recovery_codes_once(
    clock, strict_store, supervisor
):
    client = sign_in(supervisor)
    page = client.get("/two-factor/enroll/?next=/live/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("<main", 1)[1]
    assert re.search(r'<code class="secret">[A-Z2-7 ]{32,}</code>', html)
    assert client.get("/two-factor/enroll/").status_code == 200  # a reload keeps the same key
    assert TOTPDevice.objects.filter(user=supervisor).count() == 1

    refused = client.post("/two-factor/enroll/", {"code": "000000", "next": "/live/"})
    assert refused.status_code in (422, 429)
    clock.shift(timedelta(seconds=5))  # past django-otp's throttle after one failure
    done = client.post("/two-factor/enroll/", {"code": totp_code(device), "next": "/live/"})

    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == RECOVERY_CODE_COUNT
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=supervisor).values_list("token", flat=True)
    )
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/live/").status_code == 200
    assert client.get("/two-factor/enroll/").status_code == 302  # never shown again


def test_wrong_code_refused_right_code_accepted(clock, strict_store, supervisor):
    device = confirmed_device(supervisor)
    client = sign_in(supervisor)
    assert client.get("/live/")["Location"].startswith("/two-factor/?next=")

    refused = client.post("/two-factor/", {"code": "123456", "next": "/live/"})
    if totp_code(device) == "123456":  # one chance in a million
        pytest.skip("the wrong code happened to be right")
    assert refused.status_code == 422
    assert WRONG_RU in refused.content.decode()
    assert client.get("/live/").status_code == 302

    clock.shift(timedelta(seconds=2))
    accepted = client.post("/two-factor/", {"code": totp_code(device), "next": "/live/"})

    assert accepted.status_code == 302
    assert accepted["Location"] == "/live/"
    assert client.get("/live/").status_code == 200


def test_wrong_codes_are_throttled_with_a_message_the_right_one_included(
    clock, strict_store, supervisor
):
    device = confirmed_device(supervisor)
    client = sign_in(supervisor)
    client.post("/two-factor/", {"code": "abcdef"})  # not a code at all: counted as well
    client.post("/two-factor/", {"code": "00000x"})

    throttled = client.post("/two-factor/", {"code": totp_code(device), "next": "/live/"})

    assert throttled.status_code == 429
    assert THROTTLED_RU in throttled.content.decode()
    assert client.get("/live/").status_code == 302


def test_a_recovery_code_works_once(clock, strict_store, supervisor):
    confirmed_device(supervisor)
    codes = user_recovery_codes_issue(user=supervisor)

    first = sign_in(supervisor)
    used = first.post("/two-factor/", {"code": codes[0].upper(), "next": "/live/"})
    assert used.status_code == 302
    assert first.get("/live/").status_code == 200

    clock.shift(timedelta(minutes=1))
    again = sign_in(supervisor)
    refused = again.post("/two-factor/", {"code": codes[0], "next": "/live/"})
    assert refused.status_code == 422
    assert again.get("/live/").status_code == 302
    assert StaticToken.objects.filter(device__user=supervisor).count() == RECOVERY_CODE_COUNT - 1


def test_a_device_is_asked_for_even_where_no_store_requires_it(clock, store, supervisor):
    device = confirmed_device(supervisor)
    client = sign_in(supervisor)
    assert client.get("/live/")["Location"].startswith("/two-factor/")
    client.post("/two-factor/", {"code": totp_code(device)})
    assert client.get("/live/").status_code == 200


def test_an_operator_is_never_asked(strict_store, operator):
    confirmed_device(operator)  # even one who somehow has a device
    client = sign_in(operator)

    assert client.get("/desk/").status_code == 200
    assert client.get("/two-factor/").status_code == 404
    assert client.get("/two-factor/enroll/").status_code == 404
    assert not TOTPDevice.objects.filter(user=operator, confirmed=False).exists()


def test_api_tokens_are_not_asked(strict_store, supervisor):
    token = user_api_token_issue(user=supervisor)

    response = ApiClient(token).get("/api/v1/calls/state")

    assert response.status_code == 200, response.content


def test_sign_in_in_kazakh_asks_for_the_code_in_kazakh(clock, strict_store, supervisor):
    supervisor.interface_language = "kk"
    supervisor.save(update_fields=["interface_language"])
    confirmed_device(supervisor)
    client = sign_in(supervisor)

    page = client.get("/two-factor/")

    assert page.status_code == 200
    assert 'lang="kk"' in page.content.decode()
    assert "Кіру коды" in page.content.decode()
    refused = client.post("/two-factor/", {"code": "12345x"})
    assert "Код қате" in refused.content.decode()


def test_enrollment_in_kazakh(strict_store, supervisor):
    supervisor.interface_language = "kk"
    supervisor.save(update_fields=["interface_language"])
    client = sign_in(supervisor)

    page = client.get("/two-factor/enroll/")

    assert page.status_code == 200
    assert "Екі факторлы кіруді баптау" in page.content.decode()


def test_an_admin_resets_a_users_devices_in_the_admin(clock, strict_store, supervisor):
    confirmed_device(supervisor)
    user_recovery_codes_issue(user=supervisor)
    admin, _, _ = user_create(username="adm", role="admin")
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    admin_device = confirmed_device(admin)
    client = sign_in(admin)
    client.post("/two-factor/", {"code": totp_code(admin_device)})

    response = client.post(
        "/admin/accounts/user/",
        {"action": "two_factor_reset", "_selected_action": [supervisor.pk]},
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    assert not StaticToken.objects.filter(device__user=supervisor).exists()
    assert TOTPDevice.objects.filter(user=admin).exists()
