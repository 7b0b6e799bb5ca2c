"""Signing in, the interface language, and who may open which screen."""

import pytest
from django.test import Client
from django.urls import reverse

from orderdesk.accounts.models import Language

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login():
    response = Client().get(reverse("workspace:desk"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_renders_with_csp_and_no_inline_script():
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in html and "style=" not in html and " on" + "click=" not in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_operator_logs_in_and_lands_on_desk(operator):
    operator.set_password(PASSWORD)
    operator.save()
    client = Client()
    response = client.post(reverse("login"), {"username": "op1", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("workspace:desk")


def test_supervisor_home_is_live_view(supervisor_client):
    response = supervisor_client.get(reverse("workspace:home"))
    assert response["Location"] == reverse("workspace:live")


def test_operator_cannot_open_live_view(operator_client):
    assert operator_client.get(reverse("workspace:live")).status_code == 404


def test_interface_speaks_the_users_language(operator, operator_client):
    operator.interface_language = Language.KK
    operator.save(update_fields=["interface_language"])
    response = operator_client.get(reverse("workspace:desk"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert '<html lang="kk">' in response.content.decode()
    assert "Келесі қоңырауды алу" in response.content.decode()


def test_english_interface(operator, operator_client):
    operator.interface_language = Language.EN
    operator.save(update_fields=["interface_language"])
    response = operator_client.get(reverse("workspace:desk"))
    assert "Take the next call" in response.content.decode()


def test_language_switch_is_stored_on_the_user(operator, operator_client):
    response = operator_client.post(
        reverse("workspace:language"), {"language": "en", "next": "/desk/"}
    )
    assert response.status_code == 302 and response["Location"] == "/desk/"
    operator.refresh_from_db()
    assert operator.interface_language == "en"


def test_language_switch_refuses_unknown_language_and_foreign_redirect(operator, operator_client):
    assert (
        operator_client.post(reverse("workspace:language"), {"language": "xx"}).status_code == 422
    )
    operator.refresh_from_db()
    assert operator.interface_language == "ru"
    response = operator_client.post(
        reverse("workspace:language"), {"language": "kk", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("workspace:home")


def test_language_switch_needs_csrf(operator):
    operator.set_password(PASSWORD)
    operator.save()
    client = Client(enforce_csrf_checks=True)
    client.login(username="op1", password=PASSWORD)
    assert client.post(reverse("workspace:language"), {"language": "en"}).status_code == 403
    operator.refresh_from_db()
    assert operator.interface_language == "ru"
