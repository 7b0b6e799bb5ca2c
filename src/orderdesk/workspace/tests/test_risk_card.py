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
