"""The customer's links: the public tracking page and the feedback page of an order.

A link's token is the order's id signed for its purpose (the id is random and says nothing about
the customer); the tracking page's token cannot open the feedback page, nor the other way round.
`ORDERDESK_PUBLIC_URL` is the base of every link sent (`core.links.public_url`)."""

import uuid

from django.core import signing
from django.urls import reverse

from orderdesk.core.links import public_url

TRACKING = "orderdesk.shipping.tracking"
FEEDBACK = "orderdesk.shipping.feedback"


def _signer(purpose: str) -> signing.Signer:
    return signing.Signer(salt=purpose, sep=".")


def order_token(*, order_id, purpose: str) -> str:
    return _signer(purpose).sign(uuid.UUID(str(order_id)).hex)


def order_id_from_token(*, token: str, purpose: str) -> uuid.UUID | None:
    """The order id a token was signed for, or None for a token that is not ours."""
    try:
        return uuid.UUID(hex=_signer(purpose).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def tracking_url(order_id) -> str:
    token = order_token(order_id=order_id, purpose=TRACKING)
    return public_url(reverse("shipping:tracking_page", args=[token]))


def feedback_url(order_id) -> str:
    token = order_token(order_id=order_id, purpose=FEEDBACK)
    return public_url(reverse("shipping:feedback_page", args=[token]))
