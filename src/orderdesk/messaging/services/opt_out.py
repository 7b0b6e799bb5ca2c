"""Opt-outs: a customer who replied STOP, followed the link in an e-mail, or asked an operator
gets no more messages but the legally required ones."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from orderdesk.orders.models import Customer, OrderEvent, OrderEventType

from ..models import OptOut

# What a reply must say, whole, to opt out (any case; Russian, Kazakh, English).
STOP_WORDS = frozenset({"stop", "стоп", "отписаться", "тоқтату", "unsubscribe"})


def reply_is_stop(text: str) -> bool:
    return text.strip().strip(".!").casefold() in STOP_WORDS


@transaction.atomic
def customer_opt_out(*, customer: Customer, via: str, at: datetime | None = None) -> OptOut:
    """Idempotent: the first opt-out stands; each of the customer's orders' timelines shows it."""
    at = at or timezone.now()
    opt_out, created = OptOut.objects.get_or_create(
        customer=customer, defaults={"via": via, "created_at": at}
    )
    if created:
        OrderEvent.objects.bulk_create(
            OrderEvent(
                order_id=order_id,
                type=OrderEventType.MESSAGE,
                actor_label="customer" if via != "operator" else "operator",
                created_at=at,
                data={"event": "opt_out", "via": via},
            )
            for order_id in customer.orders.values_list("pk", flat=True)
        )
    return opt_out


@transaction.atomic
def customer_opt_in(*, customer: Customer) -> int:
    """The customer asked to hear from us again (an operator records it)."""
    deleted, _rows = OptOut.objects.filter(customer=customer).delete()
    return deleted
