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
    ADDRESS_CODES,
    ADDRESS_NOT_DELIVERABLE,
    CALLBACK_MAX_AHEAD,
    Decision,
    order_confirm_errors,
    orders_confirmed_by_customer,
)
from orderdesk.calling.models import AddressCheck, CallAttempt, CallTaskState, Lease
from orderdesk.calling.rules import check_callback_first_day, pending_check_due, window_next_open
from orderdesk.calling.selectors import (
    address_check_state,
    calling_policy_get,
    cancel_reasons_for,
    holidays_for,
    lease_orders,
)
from orderdesk.catalog.models import Product, UpsellOffer, UpsellOutcome, UpsellRule
from orderdesk.catalog.selectors import (
    product_alternatives,
    products_with_stock,
    upsell_rules_for,
)
from orderdesk.delivery.promise import DeliveryDates, intervals_format
from orderdesk.delivery.selectors import order_delivery_date_errors, order_delivery_dates
from orderdesk.messaging.models import Message
from orderdesk.messaging.selectors import customer_opted_out, orders_conversation
from orderdesk.orders.extensions import CUSTOMER_NOTICE_EVENTS
from orderdesk.orders.models import Elevator, Order, OrderEvent, OrderEventType
from orderdesk.screening.rules import LABELS as RISK_LABELS
from orderdesk.screening.selectors import screenings_of

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
    upsells: list["UpsellChoice"] = field(default_factory=list)
    risk: "Risk | None" = None
    notice: str = ""  # what someone else changed while the call went on (the heartbeat)
    check_answer: AddressCheck | None = None

    @property
    def not_deliverable(self) -> bool:
        return self.check_answer is not None and not self.check_answer.deliverable

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
    # Orders of this call the customer confirmed meanwhile on their private page.
    confirmed_by_customer: list[Order] = field(default_factory=list)
    # The conversation with the customer about these orders, newest first.
    messages: list[Message] = field(default_factory=list)
    opted_out: bool = False
    message_templates: tuple[str, ...] = CUSTOMER_NOTICE_EVENTS
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


def decisions_preselect(*, card: "CallCard", form: dict[str, str]) -> None:
    """Before the operator chose anything (no decision in the form), "confirm" is preselected
    for an order that passes every other check, so the key 9 confirms it; otherwise nothing is
    and the checklist says why. Read from the checklist: the checks run once."""
    for oc in card.orders:
        pk = oc.order.pk
        if f"decision_{pk}" in form or oc.decision:
            continue
        own = [check for check in card.checks if check.code.startswith(f"{pk}.")]
        undecided = f"{pk}.decision"
        if all(check.passed for check in own if check.code != undecided):
            oc.decision = Decision.CONFIRM
            card.checks = [check for check in card.checks if check.code != undecided]


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
    check_codes = (ADDRESS_CHECK_REQUIRED, ADDRESS_NOT_DELIVERABLE)
    address = [e["message"] for e in errors if e["code"] in ADDRESS_CODES]
    check = [e["message"] for e in errors if e["code"] in check_codes]
    dates = [
        e["message"]
        for e in errors
        if e["code"] not in ADDRESS_CODES and e["code"] not in check_codes
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
        if oc.not_deliverable:
            active.add(Situation.DELIVERY_IMPOSSIBLE)
        elif order.needs_address_check or order.is_out_of_city:
            active.add(Situation.OUT_OF_CITY)
        if order.elevator != Elevator.NONE:
            active.add(Situation.ELEVATOR)
        if order.time_wish:
            active.add(Situation.TIME_WISH)
        if order.recipient_name and order.recipient_name != order.customer_shown_name:
            active.add(Situation.OTHER_RECIPIENT)
    if any(c.code.endswith(".address") and not c.passed for c in card.checks):
        active.add(Situation.ADDRESS_INCOMPLETE)
    if any(oc.upsells for oc in card.orders):
        active.add(Situation.UPSELL)
    return active


def _offer_step(card: CallCard, script: list[SpeechLine]) -> list[SpeechLine]:
    """The script's offer step carries the unanswered offers (the template lists them under its
    lead-in phrase): without one there is no step at all; a store that switched the lead-in
    off still gets the step, titled, before the closing."""
    if Situation.UPSELL not in card.active_situations:
        return [line for line in script if line.situation != Situation.UPSELL]
    if any(line.situation == Situation.UPSELL for line in script):
        return script
    with translation.override(card.script_language):
        step = SpeechLine(situation=Situation.UPSELL, title=str(Situation.UPSELL.label), text="")
    closing = next(
        (i for i, line in enumerate(script) if line.situation == Situation.CONFIRMED), len(script)
    )
    return [*script[:closing], step, *script[closing:]]


# The store's cancellation reason a "not deliverable" check preselects (DEFAULT_CANCEL_REASONS).
NOT_DELIVERABLE_REASON = "delivery_impossible"

# Spoken dates as written in Kazakhstan and Russia (Django has no Kazakh date formats).
SCRIPT_DATE = "d.m.Y"


def _day(value: date | None) -> str:
    return formats.date_format(value, SCRIPT_DATE) if value else ""


def _local(value: datetime | None, zone: str) -> str:
    if value is None:
        return ""
    return formats.date_format(value.astimezone(ZoneInfo(zone)), f"{SCRIPT_DATE} H:i")


# The script quotes the address to read it back; the card shows the whole of it once, above.
SCRIPT_ADDRESS_MAX = 300


def _spoken(text: str) -> str:
    return text if len(text) <= SCRIPT_ADDRESS_MAX else text[: SCRIPT_ADDRESS_MAX - 1] + "…"


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
        "customer_name": first.customer_shown_name,
        "operator_name": card.operator.first_name or card.operator.username,
        "store_name": first.store.name,
        "order_numbers": numbers,
        "orders_count": len(card.orders),
        "locality": (
            (locality.name_kk or locality.name_ru)
            if locality and card.script_language == "kk"
            else (locality.name_ru if locality else first.locality_name)
        ),
        "address": _spoken(address_text(first)),
        "recipient_name": first.recipient_name or first.customer_shown_name,
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
        if order.needs_address_check:
            _address_check_apply(oc, at=at)
        if f"decision_{order.pk}" in form:
            oc.decision = form[f"decision_{order.pk}"]
        oc.reason = form.get(f"reason_{order.pk}", oc.reason)
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
    held_now = {str(o.pk) for o in held}
    by_customer = orders_confirmed_by_customer(order_ids=sorted(held_ids - held_now))
    card.confirmed_by_customer = [o for o in everything if str(o.pk) in by_customer]
    card.messages = orders_conversation(order_ids=[o.pk for o in everything])
    card.opted_out = customer_opted_out(customer_id=lease.customer_id)
    if not cards:
        return card
    _stock_mark(cards=cards, store_id=lease.store_id)
    _upsell_mark(cards=cards, store_id=lease.store_id)
    _risk_mark(cards=cards)
    _callback_bounds(card)
    card.checks = card_checks(
        cards=cards, cancel_codes={code for code, _label in card.cancel_reasons}, at=at
    )
    decisions_preselect(card=card, form=form)
    card.active_situations = _situations(card)
    card.script = _offer_step(
        card, script_for_order(order=card.first, context=script_context(card))
    )
    return card


def _address_check_apply(oc: OrderCard, *, at: datetime) -> None:
    """An out-of-city order whose check is answered: "not deliverable" preselects the
    cancellation with its reason; a deliverable answer given on a later call (the next day or
    after 17:00, seed 002) moves the preselected date to the first day still allowed."""
    order = oc.order
    state = address_check_state(order=order)
    oc.check_answer = state.answer
    if oc.not_deliverable:
        oc.decision, oc.reason = Decision.CANCEL, NOT_DELIVERABLE_REASON
        return
    if state.answer is None or state.asked_at is None or oc.dates is None:
        return
    first_day = check_callback_first_day(asked_at=state.asked_at, at=at, zone=order.timezone)
    if first_day is None or (oc.selected and oc.selected >= first_day):
        return
    later = [day for day in oc.dates.allowed if day >= first_day]
    if later:
        oc.selected = later[0]
        oc.moved_reason = " ".join(
            part
            for part in (
                oc.moved_reason,
                _("The check was answered on a later call: the delivery date moved."),
            )
            if part
        )


def _stock_mark(*, cards: list[OrderCard], store_id: int) -> None:
    """Each item learns how many units the store can still promise (`in_stock`: stock minus
    reservations; None: not in the catalogue), so an item that cannot ship is seen during the
    call (architecture: The confirmation call); a short item brings its best alternatives."""
    items = [item for oc in cards for item in oc.order.items.all()]
    views = products_with_stock(store_id=store_id, skus={i.sku for i in items})
    for item in items:
        view = views.get(item.sku)
        item.in_stock = view.available if view else None
        item.is_short = view is not None and view.available < item.quantity
        item.alternatives = (
            product_alternatives(
                store_id=store_id, sku=item.sku, attributes=item.attributes, limit=3
            )
            if item.is_short
            else []
        )


@dataclass(frozen=True)
class UpsellChoice:
    rule: UpsellRule
    phrase: str
    outcome: str

    @property
    def outcome_label(self) -> str:
        return UpsellOutcome(self.outcome).label if self.outcome else ""


# An offer the customer answered leaves the script; one only offered so far stays on it.
UPSELL_ANSWERED = frozenset({UpsellOutcome.ACCEPTED, UpsellOutcome.DECLINED})


def _upsell_mark(*, cards: list[OrderCard], store_id: int) -> None:
    """Each order learns the offers its items trigger (the store's upsell rules) that the
    customer has not answered yet, each with its phrase in the order's language, for the
    script's offer step."""
    for oc in cards:
        items = list(oc.order.items.all())
        rules = upsell_rules_for(
            store_id=store_id,
            skus=[i.sku for i in items],
            categories=[i.category for i in items if i.category],
        )
        answered = dict(
            UpsellOffer.objects.filter(order_id=oc.order.pk).values_list("sku", "outcome")
        )
        language = script_language_of(oc.order)
        oc.upsells = [
            UpsellChoice(rule=r, phrase=r.phrase(language), outcome=answered.get(r.offer.sku, ""))
            for r in rules
            if answered.get(r.offer.sku) not in UPSELL_ANSWERED
        ]


@dataclass(frozen=True)
class Risk:
    score: int
    reasons: list[str]
    duplicate_of: Order | None


def _risk_mark(*, cards: list[OrderCard]) -> None:
    """Each order's risk score and reasons as intake's screening found them."""
    found = screenings_of(order_ids=[oc.order.pk for oc in cards])
    for oc in cards:
        screening = found.get(oc.order.pk)
        if screening is not None and screening.reasons:
            oc.risk = Risk(
                score=screening.risk_score,
                reasons=[str(RISK_LABELS.get(code, code)) for code in screening.reasons],
                duplicate_of=screening.duplicate_of,
            )


def parse_date_or_none(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
