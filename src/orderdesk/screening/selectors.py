from collections.abc import Sequence

from django.db.models import QuerySet

from .models import OrderScreening, ScreeningDecision


def orders_held(*, store_ids: Sequence[int]) -> QuerySet[OrderScreening]:
    """Orders waiting for a supervisor's decision in these stores, oldest first."""
    return (
        OrderScreening.objects.filter(
            decision=ScreeningDecision.PENDING, order__store_id__in=store_ids
        )
        .select_related("order", "order__customer", "order__store", "duplicate_of")
        .order_by("created_at")
    )


def screenings_of(*, order_ids: Sequence) -> dict:
    """Order id → its screening (orders taken in before screening existed have none)."""
    rows = OrderScreening.objects.filter(order_id__in=order_ids).select_related("duplicate_of")
    return {s.order_id: s for s in rows}
