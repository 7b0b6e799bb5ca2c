"""Each channel against its local peer: a real SMTP server, an HTTP SMS provider."""

import pytest
from django.test import override_settings

from orderdesk.messaging.channels import EmailChannel, HttpSmsChannel, SendStatus
from orderdesk.messaging.models import Channel, Message

from .conftest import SMS_TOKEN
from .peers import free_port


def _message(channel: str, to: str) -> Message:
    return Message(channel=channel, to=to, subject="Заказ T-1 принят", body="Текст\nвторая строка")


def test_email_goes_over_smtp_with_its_own_id_and_the_unsubscribe_header(channels):
    smtp, _sms = channels
    message = _message(Channel.EMAIL, "aigul@example.kz")
    result = EmailChannel().send(message, unsubscribe_url="https://desk.example.kz/m/unsubscribe/x")
    assert result.status == SendStatus.SENT
    (mail,) = smtp.mails
    assert mail["To"] == "aigul@example.kz"
    assert mail["From"] == "shop@example.kz"
    assert mail["Subject"] == "Заказ T-1 принят"
    assert mail["Message-ID"].strip() == result.provider_id == f"<{message.pk.hex}@example.kz>"
    assert mail["List-Unsubscribe"] == "<https://desk.example.kz/m/unsubscribe/x>"
    assert mail.get_content().strip().splitlines() == ["Текст", "вторая строка"]


def test_email_refused_recipient_fails_for_good(channels):
    smtp, _sms = channels
    smtp.refuse.add("gone@example.kz")
    result = EmailChannel().send(_message(Channel.EMAIL, "gone@example.kz"))
    assert (result.status, result.error) == (SendStatus.FAILED, "recipient refused (550)")
    assert smtp.mails == []


def test_email_server_away_is_retried(db):
    with override_settings(EMAIL_HOST="127.0.0.1", EMAIL_PORT=free_port(), EMAIL_TIMEOUT=2):
        result = EmailChannel().send(_message(Channel.EMAIL, "aigul@example.kz"))
    assert result.status == SendStatus.RETRY


def test_sms_posts_the_generic_provider_json_with_the_bearer_token(channels):
    _smtp, sms = channels
    message = _message(Channel.SMS, "+77011234567")
    result = HttpSmsChannel().send(message)
    assert (result.status, result.provider_id) == (SendStatus.SENT, "prov-1")
    (request,) = sms.requests
    assert request["json"] == {"to": "+77011234567", "text": message.body, "id": str(message.pk)}
    assert request["headers"]["Authorization"] == f"Bearer {SMS_TOKEN}"


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (400, SendStatus.FAILED),
        (422, SendStatus.FAILED),
        (429, SendStatus.RETRY),
        (503, SendStatus.RETRY),
    ],
)
def test_sms_provider_refusal_or_trouble(channels, answer, status):
    _smtp, sms = channels
    sms.status = answer
    result = HttpSmsChannel().send(_message(Channel.SMS, "+77011234567"))
    assert (result.status, result.error) == (status, f"SMS provider answered {answer}")


def test_sms_provider_away_is_retried(db):
    with override_settings(ORDERDESK_SMS_URL=f"http://127.0.0.1:{free_port()}/sms"):
        result = HttpSmsChannel().send(_message(Channel.SMS, "+77011234567"))
    assert result.status == SendStatus.RETRY


def test_a_channel_is_off_until_the_deployment_configures_it(db):
    with override_settings(EMAIL_HOST="", ORDERDESK_SMS_URL=""):
        assert not EmailChannel().is_configured()
        assert not HttpSmsChannel().is_configured()
