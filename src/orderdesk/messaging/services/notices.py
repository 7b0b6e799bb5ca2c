"""Queueing the messages that tell a customer about their order (architecture: Messages and
self-service).

A notice is queued in the caller's transaction (intake, a status change, a shipment...): the
message row, rendered once from the template of the store, event and language, is the worker's
queue entry (`jobs.messages_send_due`), so it exists if and only if the change committed. Its
`key` (order, event, channel) makes the notice idempotent: the same event announced twice, or
by a retried job, finds the row already there and queues nothing more.

Rules, in this order: the store sends messages at all; an opted-out customer gets only legally
required ones; the message goes on the first channel of the store's list the customer has and
the deployment configured; it leaves no earlier than the customer's calling window opens
(their local time) and, past the store's per-customer limit in 24 hours, no earlier than the
limit allows."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from orderdesk.calling.models import CallPurpose, CallTask
from orderdesk.calling.rules import window_next_open
from orderdesk.calling.selectors import calling_policies_for, holidays_for
from orderdesk.orders.extensions import CUSTOMER_NOTICE_EVENTS, representation_parts_read
from orderdesk.orders.models import Order, OrderEvent, OrderEventType, OrderStatus

from ..channels import ADAPTERS, adapter_for
from ..links import self_service_url, unsubscribe_url
from ..models import Channel, Direction, Message, MessageStatus, MessageTemplate, StoreMessaging
from ..rendering import placeholders_of, text_render
from ..selectors import (
    messaging_settings_for,
    opted_out_customer_ids,
    template_choose,
    templates_for,
)

RATE_WINDOW = timedelta(hours=24)
OPERATOR_EVENT = "operator"


def notice_key(*, order_id, event: str, channel: str) -> str:
    return f"{order_id}:{event}:{channel}"


def order_notice_queue(order: Order, event: str, at: datetime) -> bool:
    """Registered with orders.extensions.customer_notice: one order, one event."""
    if event not in CUSTOMER_NOTICE_EVENTS:
        raise ValueError(f"not a customer notice event: {event}")
    if event == "unreachable":
        return bool(unreachable_notices_queue(orders=[order], at=at))
    return bool(notices_queue(orders=[order], event=event, at=at))


def orders_received_notify(orders: Sequence[Order], at: datetime) -> None:
    """Registered with orders.extensions.on_orders_created: "order received", with the link."""
    waiting = [o for o in orders if o.status == OrderStatus.AWAITING_CONFIRMATION]
    if waiting:
        notices_queue(orders=waiting, event="order_received", at=at)


def status_notice_queue(order: Order, previous: str, at: datetime) -> None:
    """Registered with orders.extensions.on_status_changed: "confirmed" when it is."""
    if order.status == OrderStatus.CONFIRMED and previous != order.status:
        notices_queue(orders=[order], event="confirmed", at=at)


def unreachable_notices_queue(*, orders: Sequence[Order], at: datetime) -> list[Message]:
    """After a failed call (calling announces each one): "could not reach you" once the
    confirmation call has failed the store's number of times (the key keeps it to one)."""
    settings_by_store = messaging_settings_for(store_ids={o.store_id for o in orders})
    counts = dict(
        CallTask.objects.filter(
            order__in=[o.pk for o in orders], purpose=CallPurpose.CONFIRMATION
        ).values_list("order_id", "attempts_count")
    )
    due = [
        order
        for order in orders
        if order.status == OrderStatus.AWAITING_CONFIRMATION
        and counts.get(order.pk, 0) >= settings_by_store[order.store_id].unreachable_after_attempts
    ]
    return notices_queue(orders=due, event="unreachable", at=at) if due else []


@transaction.atomic(savepoint=False)
def notices_queue(
    *,
    orders: Sequence[Order],
    event: str,
    at: datetime,
    skip_channels: Sequence[str] = (),
    template: MessageTemplate | None = None,
    keyed: bool = True,
    actor=None,
) -> list[Message]:
    """Queue `event`'s message for each order (see the module's rules); answers the messages
    queued or already there. `skip_channels`: channels already tried (a fallback); `template`:
    this text instead of the event's template and `keyed=False`: not once per event (an
    operator's message from the card, by `actor`)."""
    if not any(adapter_for(channel).is_configured() for channel in ADAPTERS):
        return []  # a deployment without any channel: nothing to queue, nothing to read
    store_ids = {order.store_id for order in orders}
    settings_by_store = messaging_settings_for(store_ids=store_ids)
    orders = [o for o in orders if settings_by_store[o.store_id].is_enabled]
    if not orders:
        return []
    templates = {} if template is not None else templates_for(store_ids=store_ids, event=event)
    opted_out = opted_out_customer_ids(customer_ids={o.customer_id for o in orders})
    parts = representation_parts_read(orders)
    planned: list[Message] = []
    skipped: list[Order] = []
    for order in orders:
        chosen = template or template_choose(
            templates, store_id=order.store_id, language=order.customer.language
        )
        if chosen is None:
            continue
        if order.customer_id in opted_out and not chosen.is_legally_required:
            skipped.append(order)
            continue
        message = _message_plan(
            order=order,
            event=event,
            template=chosen,
            settings=settings_by_store[order.store_id],
            values=_values(order, parts.get(order.pk, {})),
            skip_channels=skip_channels,
            at=at,
        )
        if message is not None:
            message.key = message.key if keyed else None
            planned.append(message)
    _send_times_set(messages=planned, orders=orders, at=at)
    queued = _messages_insert(planned)
    _timeline_write(queued=queued, skipped=skipped, event=event, at=at, actor=actor)
    if len(queued) == len(planned):
        return queued
    # Some keys were there already (an idempotent repeat): answer the rows as stored.
    return list(Message.objects.filter(key__in=[m.key for m in planned if m.key]))


def _message_plan(
    *,
    order: Order,
    event: str,
    template: MessageTemplate,
    settings: StoreMessaging,
    values: dict[str, str],
    skip_channels: Sequence[str],
    at: datetime,
) -> Message | None:
    """The message on the first channel the customer has, rendered; None when none fits."""
    customer = order.customer
    for channel in settings.channel_order():
        adapter = adapter_for(channel)
        to = adapter.address_of(customer=customer)
        if channel in skip_channels or not to or not adapter.is_configured():
            continue
        body = text_render(template.body, values)
        if not body:
            continue
        whatsapp = None
        if channel == Channel.WHATSAPP:
            whatsapp = whatsapp_template_call(template, values)
            if whatsapp is None:
                continue
        if channel == Channel.EMAIL:
            body += "\n\n" + _unsubscribe_line(order=order, language=template.language)
        return Message(
            store_id=order.store_id,
            order=order,
            customer_id=order.customer_id,
            direction=Direction.OUT,
            event=event,
            channel=channel,
            language=template.language,
            to=to,
            subject=text_render(template.subject, values)[:200],
            body=body,
            whatsapp_template=whatsapp,
            key=notice_key(order_id=order.pk, event=event, channel=channel),
            is_legally_required=template.is_legally_required,
            not_before=at,
            created_at=at,
        )
    return None


def whatsapp_template_call(template: MessageTemplate, values: dict[str, str]) -> dict | None:
    """The approved WhatsApp template this text maps to, its language code and its body
    parameters: the values of the text's placeholders in the order they appear ({{1}}, {{2}}...).
    None when the store mapped no template, or a parameter has no value (WhatsApp refuses an
    empty one, and an approved template cannot leave a line out)."""
    if not template.whatsapp_name:
        return None
    parameters = [values.get(name, "") for name in placeholders_of(template.body)]
    if not all(parameters):
        return None
    return {
        "name": template.whatsapp_name,
        "language": template.whatsapp_language or template.language,
        "parameters": parameters,
    }


def _unsubscribe_line(*, order: Order, language: str) -> str:
    """Every e-mail ends with the link that stops the messages (stored with the body: the
    message is kept as it was sent)."""
    with translation.override(language):
        return _("To stop these messages: %(url)s") % {
            "url": unsubscribe_url(customer_id=order.customer_id)
        }


def _values(order: Order, parts: dict) -> dict[str, str]:
    """Every placeholder's value for this order ("" when it has none: its line is left out)."""
    shipment = parts.get("shipment") or {}
    day = order.delivery_on or order.earliest_delivery_on
    return {
        "order_number": order.external_id,
        "customer_name": order.customer.name,
        "store_name": order.store.name,
        "delivery_date": day.strftime("%d.%m.%Y") if day else "",
        "delivery_interval": str(parts.get("delivery_interval") or ""),
        "total": f"{order.total:,.2f}".replace(",", " ") + f" {order.currency}",
        "carrier": (order.carrier.name if order.carrier_id else "") or "",
        "tracking_number": str(shipment.get("tracking_number") or ""),
        "tracking_url": str(shipment.get("tracking_url") or ""),
        "self_service_url": parts.get("self_service_url")
        or self_service_url(order_id=order.pk, issued_at=order.created_at),
        "feedback_url": str(parts.get("feedback_url") or ""),
    }


def _send_times_set(*, messages: list[Message], orders: Sequence[Order], at: datetime) -> None:
    """Each message's `not_before`: inside the customer's calling window (their local time)
    when the store says so, and within the per-customer limit (legally required ones skip
    the limit)."""
    if not messages:
        return
    store_ids = {m.store_id for m in messages}
    policies = calling_policies_for(store_ids=store_ids)
    settings_by_store = messaging_settings_for(store_ids=store_ids)
    recent = _recent_sends(customer_ids={m.customer_id for m in messages}, at=at)
    for message in messages:
        settings = settings_by_store[message.store_id]
        send_at = at
        if not message.is_legally_required:
            sends = recent.setdefault(message.customer_id, [])
            limit = settings.rate_limit_per_day
            if len(sends) >= limit:
                send_at = max(send_at, sends[len(sends) - limit] + RATE_WINDOW)
            sends.append(send_at)
            sends.sort()
        if settings.quiet_hours_follow_calling_window:
            policy = policies[message.store_id]
            zone = message.order.timezone
            opens = window_next_open(
                at=send_at,
                zone=zone,
                windows=policy.week_windows(),
                holidays=holidays_for(policy=policy, zone=zone),
            )
            send_at = opens or send_at
        message.not_before = send_at


def _recent_sends(*, customer_ids: set[int], at: datetime) -> dict[int, list[datetime]]:
    """Per customer, when their messages of the last 24 hours left or will leave (failed ones
    and legally required ones do not count)."""
    rows = (
        Message.objects.filter(
            customer_id__in=list(customer_ids),
            direction=Direction.OUT,
            created_at__gte=at - RATE_WINDOW,
            is_legally_required=False,
        )
        .exclude(status=MessageStatus.FAILED)
        .values_list("customer_id", "not_before")
    )
    sends: dict[int, list[datetime]] = {}
    for customer_id, not_before in rows:
        sends.setdefault(customer_id, []).append(not_before)
    for moments in sends.values():
        moments.sort()
    return sends


def _messages_insert(planned: list[Message]) -> list[Message]:
    """Insert, skipping keys already there (a concurrent or repeated notice waits on the unique
    index and then inserts nothing); answers those this call inserted."""
    if not planned:
        return []
    Message.objects.bulk_create(planned, ignore_conflicts=True)
    mine = set(Message.objects.filter(pk__in=[m.pk for m in planned]).values_list("pk", flat=True))
    return [m for m in planned if m.pk in mine]


def _timeline_write(
    *, queued: list[Message], skipped: list[Order], event: str, at: datetime, actor=None
) -> None:
    events = [
        OrderEvent(
            order_id=message.order_id,
            type=OrderEventType.MESSAGE,
            actor=actor,
            actor_label=actor.username if actor else "system",
            created_at=at,
            data=message_event_data(message),
        )
        for message in queued
    ]
    events += [
        OrderEvent(
            order_id=order.pk,
            type=OrderEventType.MESSAGE,
            actor=actor,
            actor_label=actor.username if actor else "system",
            created_at=at,
            data={"event": event, "status": "not_sent", "reason": "opted_out"},
        )
        for order in skipped
    ]
    OrderEvent.objects.bulk_create(events)


def message_event_data(message: Message, **extra) -> dict:
    """What the order's timeline keeps of a message (no address: the order has the contacts)."""
    return {
        "message": str(message.pk),
        "event": message.event,
        "channel": message.channel,
        "status": message.status,
        **({"not_before": message.not_before.isoformat()} if message.not_before else {}),
        **extra,
    }
