"""Upsell and cross-sell during the call (architecture: Catalog and stock): what the operator
offered by a store's rule, and what came of it. An accepted offer adds the product to the order
(order_item_add: at the catalogue price, marked as added in the call) and its revenue is kept
with the operator, for the reports."""

from django.db import transaction
from django.utils import timezone

from orderdesk.accounts.models import User
from orderdesk.catalog.models import UpsellOffer, UpsellOutcome, UpsellRule
from orderdesk.core.errors import ApplicationError

from ..models import Order, OrderEventType
from .items import _editable_lock, _quantity_check, order_item_add
from .lifecycle import order_event_record

UPSELL_RULE_NOT_FOUND = "upsell_rule_not_found"
UPSELL_OUTCOME_INVALID = "upsell_outcome_invalid"


@transaction.atomic
def order_upsell_record(
    *, order: Order, rule_id: int, outcome: str, actor: User, quantity: int = 1
) -> UpsellOffer:
    """One row per order and product offered: a later answer replaces an earlier one
    (offered, then accepted); accepting twice adds the product once."""
    if outcome not in UpsellOutcome.values:
        raise ApplicationError(UPSELL_OUTCOME_INVALID, "outcome: unknown", status_code=422)
    order = _editable_lock(order)
    rule = (
        UpsellRule.objects.select_related("offer")
        .filter(pk=rule_id, store_id=order.store_id, is_active=True)
        .first()
    )
    if rule is None:
        raise ApplicationError(
            UPSELL_RULE_NOT_FOUND, "rule: not a rule of this store", status_code=422
        )
    _quantity_check(quantity)
    now = timezone.now()
    offer = UpsellOffer.objects.filter(order_id=order.pk, sku=rule.offer.sku).first()
    if offer is not None and offer.outcome == UpsellOutcome.ACCEPTED:
        return offer
    revenue = 0
    if outcome == UpsellOutcome.ACCEPTED:
        item = order_item_add(order=order, product_id=rule.offer_id, quantity=quantity, actor=actor)
        revenue = item.price * item.quantity
    else:
        order_event_record(order=order, type=OrderEventType.NOTE, actor=actor,
                           data={"upsell": rule.offer.sku, "outcome": outcome})  # fmt: skip
    offer, _created = UpsellOffer.objects.update_or_create(
        order_id=order.pk, sku=rule.offer.sku,
        defaults={"store_id": order.store_id, "rule": rule, "operator": actor, "outcome": outcome,
                  "revenue": revenue, "at": now},
    )  # fmt: skip
    return offer
