"""Calling's part in erasing a customer's personal data (orders.extensions.on_personal_data_erased):
the free text of the call attempts and call tasks of the erased orders."""

from collections.abc import Sequence
from datetime import datetime

from orderdesk.orders.models import Order

from ..models import CallAttempt, CallTask


def calls_personal_data_erase(orders: Sequence[Order], values: Sequence[str], at: datetime) -> None:
    order_ids = [o.pk for o in orders]
    CallAttempt.objects.filter(orders__in=order_ids).exclude(notes="").update(notes="")
    CallTask.objects.filter(order_id__in=order_ids).exclude(reason="").update(reason="")
