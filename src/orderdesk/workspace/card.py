"""The call card: everything the operator sees while a customer is on the line, read in one
place. The rules come from their owners: the confirmation checks and the callback rules from
calling, the allowed dates from delivery; this module only arranges them for the screen."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import formats, translation
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.calling.checks import (
    ADDRESS_CHECK_REQUIRED,
    ADDRESS_FIELD_MISSING,
    CALLBACK_MAX_AHEAD,
    Decision,
    order_confirm_errors,
)
from orderdesk.calling.models import CallAttempt, CallTaskState, Lease
from orderdesk.calling.rules import pending_check_due, window_next_open
from orderdesk.calling.selectors import (
    calling_policy_get,
    cancel_reasons_for,
    holidays_for,
    lease_orders,
)
from orderdesk.catalog.models import Product
from orderdesk.delivery.promise import DeliveryDates, intervals_format
from orderdesk.delivery.selectors import order_delivery_date_errors, order_delivery_dates
from orderdesk.orders.models import Elevator, Order, OrderEvent, OrderEventType

from .models import Situation
from .problems import feedback_cards_build, problem_cards_build
from .selectors import SpeechLine, queue_tasks_attach, script_for_order, script_language_of
from .templatetags.workspace_tags import address_text


@dataclass
class Check:
    code: str
    label: str
    passed: bool


@dataclass
class OrderCard:
    order: Order
    dates: DeliveryDates | None
    selected: date | None
    moved_reason: str = ""
    no_dates_reason: str = ""
    decision: str = ""
    reason: str = ""
    error: str = ""

    @property
    def options(self) -> list[date]:
        return list(self.dates.allowed) if self.dates else []

    @property
    def earliest(self) -> date | None:
        return self.dates.earliest if self.dates else None

    @property
    def carrier_name(self) -> str:
        if self.dates and self.dates.zone:
            return self.dates.zone.carrier_name or self.dates.carrier
        return self.order.carrier.name if self.order.carrier_id else ""

    @property
    def intervals(self) -> str:
        if self.dates and self.dates.zone and self.dates.zone.intervals:
            return intervals_format(self.dates.zone.intervals).replace(";", ", ")
        return ""


@dataclass
class CallCard:
    lease: Lease
    operator: User
    at: datetime
    orders: list[OrderCard]
    other_orders: list[Order]
    attempts: list[CallAttempt]
    timeline: list[OrderEvent]
    checks: list[Check] = field(default_factory=list)
    script: list[SpeechLine] = field(default_factory=list)
    active_situations: set[str] = field(default_factory=set)
    cancel_reasons: list[tuple[str, str]] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    pending_check_at: datetime | None = None
    callback_min: datetime | None = None
    callback_max: datetime | None = None
    callback_default: datetime | None = None
    window_start: str = ""
    window_end: str = ""
    problems: list = field(default_factory=list)  # workspace.problems.ProblemCard
    feedback: list = field(default_factory=list)  # workspace.problems.FeedbackCard

    @property
    def first(self) -> Order:
        if self.orders:
            return self.orders[0].order
        return self.problems[0].order if self.problems else self.feedback[0].order

    @property
    def customer(self):
        return self.first.customer

    @property
    def store(self):
        return self.first.store

    @property
    def timezone(self) -> str:
        return self.first.timezone

    @property
    def local_now(self) -> datetime:
        return self.at.astimezone(ZoneInfo(self.timezone))

    @property
    def script_language(self) -> str:
        return script_language_of(self.first)

    @property
    def can_confirm(self) -> bool:
        return all(check.passed for check in self.checks)

    elevator_choices = Elevator.choices


def _date_choice(*, order: Order, dates: DeliveryDates | None, at: datetime) -> OrderCard:
    """The date preselected: the one already agreed or requested when still allowed, else the
    earliest; when the requested date had to move, the delivery rule's reason is shown."""
    if dates is None:
        errors = order_delivery_date_errors(order=order, delivery_on=None, at=at)
        reason = errors[0]["message"] if errors else ""
        return OrderCard(order=order, dates=None, selected=None, no_dates_reason=reason)
    wanted = [d for d in (order.delivery_on, order.requested_delivery_on) if d]
    selected = next((d for d in wanted if d in dates.allowed), dates.earliest)
    moved = ""
    if order.requested_delivery_on and order.requested_delivery_on not in dates.allowed:
        errors = order_delivery_date_errors(
            order=order, delivery_on=order.requested_delivery_on, at=at
        )
        moved = errors[0]["message"] if errors else ""
        if dates.zone and dates.zone.cutoff:
            local = at.astimezone(ZoneInfo(dates.timezone or order.timezone))
            if local.time() >= dates.zone.cutoff:
                moved += " " + _("Confirmed after %(cutoff)s local time.") % {
                    "cutoff": dates.zone.cutoff.strftime("%H:%M")
                }
    return OrderCard(order=order, dates=dates, selected=selected, moved_reason=moved.strip())


def card_checks(*, cards: list[OrderCard], cancel_codes: set[str], at: datetime) -> list[Check]:
    """The checklist as the confirmation will judge it: calling's checks for each order to
    confirm (address, out-of-city check, delivery date), a decision and a reason otherwise."""
    checks: list[Check] = []
    for card in cards:
        order, number = card.order, card.order.external_id
        if card.decision == Decision.CANCEL:
            ok = card.reason in cancel_codes
            label = _("%(order)s: cancellation reason chosen") % {"order": number}
            checks.append(Check(f"{order.pk}.reason", label, ok))
            continue
        if card.decision != Decision.CONFIRM:
            label = _("%(order)s: decide — confirm or cancel") % {"order": number}
            checks.append(Check(f"{order.pk}.decision", label, False))
        errors = order_confirm_errors(order=order, delivery_on=card.selected, at=at)
        checks += _error_checks(order=order, errors=errors)
    return checks


def _error_checks(*, order: Order, errors: list[dict]) -> list[Check]:
    number = order.external_id
    address = [e["message"] for e in errors if e["code"] == ADDRESS_FIELD_MISSING]
    check = [e["message"] for e in errors if e["code"] == ADDRESS_CHECK_REQUIRED]
    dates = [
        e["message"]
        for e in errors
        if e["code"] not in (ADDRESS_FIELD_MISSING, ADDRESS_CHECK_REQUIRED)
    ]
    ok_address = _("%(order)s: address complete") % {"order": number}
    ok_date = _("%(order)s: delivery date allowed") % {"order": number}
    result = [
        Check(f"{order.pk}.address", f"{number}: " + " ".join(address) if address else ok_address,
              not address),
        Check(f"{order.pk}.date", f"{number}: " + " ".join(dates) if dates else ok_date, not dates),
    ]  # fmt: skip
    if check:
        result.insert(1, Check(f"{order.pk}.address_check", f"{number}: " + " ".join(check), False))
    return result


def _situations(card: CallCard) -> set[str]:
    """Which speech modules the situation calls for right now (highlighted on the script)."""
    active = {Situation.GREETING, Situation.ADDRESS_CHECK}
    if len(card.orders) > 1:
        active.add(Situation.ALL_ORDERS)
    for oc in card.orders:
        order = oc.order
        if oc.moved_reason:
            active.add(Situation.DATE_MOVED)
        if oc.dates and oc.dates.zone:
            zone = oc.dates.zone
            local = card.at.astimezone(ZoneInfo(order.timezone))
            if zone.cutoff and local.time() >= zone.cutoff:
                active.add(Situation.LATE_CONFIRMATION)
            elif zone.lead_days >= 1:
                active.add(Situation.NO_SAME_DAY)
        if order.needs_address_check or order.is_out_of_city:
            active.add(Situation.OUT_OF_CITY)
        if order.elevator != Elevator.NONE:
            active.add(Situation.ELEVATOR)
        if order.time_wish:
            active.add(Situation.TIME_WISH)
        if order.recipient_name and order.recipient_name != order.customer.name:
            active.add(Situation.OTHER_RECIPIENT)
    if any(c.code.endswith(".address") and not c.passed for c in card.checks):
        active.add(Situation.ADDRESS_INCOMPLETE)
    return active


# Spoken dates as written in Kazakhstan and Russia (Django has no Kazakh date formats).
SCRIPT_DATE = "d.m.Y"


def _day(value: date | None) -> str:
    return formats.date_format(value, SCRIPT_DATE) if value else ""


def _local(value: datetime | None, zone: str) -> str:
    if value is None:
        return ""
    return formats.date_format(value.astimezone(ZoneInfo(zone)), f"{SCRIPT_DATE} H:i")


def _time_wish_words(wish: str) -> str:
    """`14:00–18:00` as the script says it; blanks to fill in aloud when none is recorded."""
    start, _dash, end = wish.partition("–")
    return _("from %(start)s to %(end)s") % {"start": start or "__", "end": end or "__"}


def script_context(card: CallCard) -> dict[str, object]:
    """The values the script names, spelled in the script's language (dates, address words)."""
    with translation.override(card.script_language):
        return _script_values(card)


def _script_values(card: CallCard) -> dict[str, object]:
    first, oc = card.first, card.orders[0]
    locality = first.locality
    zone = oc.dates.zone if oc.dates else None
    numbers = ", ".join(o.order.external_id for o in card.orders)
    return {
        "customer_name": first.customer.name,
        "operator_name": card.operator.first_name or card.operator.username,
        "store_name": first.store.name,
        "order_numbers": numbers,
        "orders_count": len(card.orders),
        "locality": (
            (locality.name_kk or locality.name_ru)
            if locality and card.script_language == "kk"
            else (locality.name_ru if locality else first.locality_name)
        ),
        "address": address_text(first),
        "recipient_name": first.recipient_name or first.customer.name,
        "earliest_date": _day(oc.earliest),
        "delivery_date": _day(oc.selected),
        "requested_date": _day(first.requested_delivery_on),
        "lead_days": zone.lead_days if zone else "",
        "cutoff": zone.cutoff.strftime("%H:%M") if zone and zone.cutoff else "",
        "carrier": oc.carrier_name,
        "intervals": oc.intervals,
        "callback_time": _local(card.pending_check_at, first.timezone),
        "time_wish": _time_wish_words(first.time_wish),
        "total": f"{sum(o.order.total for o in card.orders)} {first.currency}",
    }


def _callback_bounds(card: CallCard) -> None:
    """The callback picker, in the customer's local time: from the next open window, at most
    as far ahead as calling allows; the store's window is named next to it."""
    policy = calling_policy_get(store=card.lease.store_id)
    zone = card.timezone
    windows = policy.week_windows()
    holidays = holidays_for(policy=policy, zone=zone)
    tz = ZoneInfo(zone)
    opens = window_next_open(
        at=card.at + timedelta(minutes=5), zone=zone, windows=windows, holidays=holidays
    )
    card.callback_min = (opens or card.at).astimezone(tz)
    card.callback_max = (card.at + CALLBACK_MAX_AHEAD).astimezone(tz)
    default = window_next_open(
        at=card.at + timedelta(hours=1), zone=zone, windows=windows, holidays=holidays
    )
    card.callback_default = (default or card.callback_min).astimezone(tz)
    today = windows.get(card.local_now.isoweekday())
    if today:
        card.window_start, card.window_end = (t.strftime("%H:%M") for t in today)
    card.pending_check_at = pending_check_due(
        at=card.at, zone=zone, windows=windows, holidays=holidays,
        after=timedelta(minutes=policy.pending_check_minutes),
    )  # fmt: skip


def call_card_build(
    *, lease: Lease, operator: User, at: datetime, form: dict[str, str] | None = None
) -> CallCard:
    """`form`: the outcome form as typed so far (decisions, dates, reasons), for the checklist."""
    form = form or {}
    everything = queue_tasks_attach(lease_orders(lease=lease))
    held_ids = set(lease.order_ids)
    held = [
        o
        for o in everything
        if str(o.pk) in held_ids
        and o.queue_task is not None
        and o.queue_task.state == CallTaskState.IN_CALL
        and o.queue_task.lease_id == lease.pk
    ]
    cards = []
    for order in held:
        oc = _date_choice(order=order, dates=order_delivery_dates(order=order, at=at), at=at)
        oc.decision = form.get(f"decision_{order.pk}", "")
        oc.reason = form.get(f"reason_{order.pk}", "")
        typed = form.get(f"date_{order.pk}")
        if typed:
            oc.selected = parse_date_or_none(typed) or oc.selected
        cards.append(oc)
    card = CallCard(
        lease=lease, operator=operator, at=at, orders=cards,
        other_orders=[o for o in everything if o not in held],
        attempts=list(
            CallAttempt.objects.filter(customer_id=lease.customer_id, store_id=lease.store_id)
            .select_related("operator").order_by("-started_at")[:20]
        ),
        timeline=list(
            OrderEvent.objects.filter(order__in=held).exclude(type=OrderEventType.VIEWED)
            .select_related("actor")
            .order_by("-created_at", "-id")[:40]
        ),
        cancel_reasons=cancel_reasons_for(store=lease.store_id),
        products=list(
            Product.objects.filter(store_id=lease.store_id, is_active=True)
            .select_related("category").order_by("name")[:200]
        ),
    )  # fmt: skip
    card.problems = problem_cards_build(lease=lease, operator=operator, at=at)
    card.feedback = feedback_cards_build(lease=lease)
    in_problems = {pc.order.pk for pc in card.problems} | {fc.order.pk for fc in card.feedback}
    card.other_orders = [o for o in card.other_orders if o.pk not in in_problems]
    if not cards:
        return card
    _stock_mark(cards=cards, store_id=lease.store_id)
    _callback_bounds(card)
    card.checks = card_checks(
        cards=cards, cancel_codes={code for code, _label in card.cancel_reasons}, at=at
    )
    card.active_situations = _situations(card)
    card.script = script_for_order(order=card.first, context=script_context(card))
    return card


def _stock_mark(*, cards: list[OrderCard], store_id: int) -> None:
    """Each item learns what the store's catalogue has in stock (None: not in the catalogue),
    so an item that cannot ship is seen during the call (architecture: The confirmation call)."""
    items = [item for oc in cards for item in oc.order.items.all()]
    stock = dict(
        Product.objects.filter(store_id=store_id, sku__in={i.sku for i in items}).values_list(
            "sku", "stock_quantity"
        )
    )
    for item in items:
        item.in_stock = stock.get(item.sku)


def parse_date_or_none(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
