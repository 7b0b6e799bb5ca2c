"""The call card shows what screening found: the risk score, its reasons, the duplicate. The
clock is frozen here (work_morning), so both orders are taken in at the same instant."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_card_shows_the_risk_and_the_duplicate(ready_operator, operator_client, make_order):
    first = make_order("R-1")
    make_order("R-2")
    operator_client.post(reverse("workspace:next"))
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert 'data-risk="10"' in page  # the first order: a new phone
    assert 'data-risk="20"' in page  # the second: the same items again
    assert page.count("data-duplicate-of=") == 1
    assert f'data-duplicate-of="{first.external_id}"' in page


def test_a_duplicate_is_merged_from_the_card(ready_operator, operator_client, make_order):
    from orderdesk.orders.models import Order, OrderEvent, OrderEventType, OrderStatus

    first = make_order("R-1")
    second = make_order("R-2")
    operator_client.post(reverse("workspace:next"))
    response = operator_client.post(
        reverse("workspace:duplicate_merge", args=[second.pk]), HTTP_HX_REQUEST="true"
    )
    assert (response.status_code, response["HX-Refresh"]) == (200, "true")
    second = Order.objects.get(pk=second.pk)
    assert (second.status, second.cancel_reason) == (OrderStatus.CANCELLED, "duplicate")
    moved = OrderEvent.objects.get(order=second, type=OrderEventType.STATUS_CHANGED)
    assert moved.data["merged_into"] == "R-1"
    note = OrderEvent.objects.filter(order=first, type=OrderEventType.NOTE).last()
    assert note.data == {"merged": "R-2"}
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert f'id="order-{first.pk}"' in page and f'id="order-{second.pk}"' not in page
    again = operator_client.post(reverse("workspace:duplicate_merge", args=[second.pk]))
    assert again.status_code == 404  # no longer in the call
