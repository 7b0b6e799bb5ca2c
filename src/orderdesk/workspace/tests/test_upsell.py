"""Upsell on the call card: the store's rule shows its phrase, the answer is recorded per
operator, an accepted offer adds the product and its revenue counts for the operator's day."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from orderdesk.catalog.models import Category, Product, UpsellOffer, UpsellRule
from orderdesk.catalog.selectors import upsell_revenue_by_operator_day
from orderdesk.orders.models import OrderEvent, OrderEventType

pytestmark = pytest.mark.django_db
ITEMS = [{"sku": "HRF-450", "name": "Холодильник", "quantity": 1, "price": "259990.00",
          "category": "fridges"}]  # fmt: skip


@pytest.fixture
def rule(store):
    fridges = Category.objects.create(store=store, code="fridges", name="Холодильники")
    filter_ = Product.objects.create(store=store, sku="FLT-1", name="Фильтр для воды",
                                     price="4500.00", stock_quantity=10)  # fmt: skip
    return UpsellRule.objects.create(
        store=store, when_category=fridges, offer=filter_,
        phrase_ru="К холодильнику часто берут фильтр для воды — добавить?",
        phrase_kk="Тоңазытқышқа су сүзгісін жиі алады — қосайық па?",
    )  # fmt: skip


@pytest.fixture
def held(ready_operator, operator_client, make_order, rule):
    order = make_order(items=ITEMS)
    operator_client.post(reverse("workspace:next"))
    return order


def _answer(client, order, rule, outcome):
    return client.post(reverse("workspace:upsell", args=[order.pk]),
                       {"rule": rule.pk, "outcome": outcome}, HTTP_HX_REQUEST="true")  # fmt: skip


def test_the_card_offers_in_the_customers_language(operator_client, held):
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert 'data-upsell="FLT-1"' in page
    assert "Тоңазытқышқа су сүзгісін жиі алады — қосайық па?" in page  # the order is in Kazakh


def test_declined_is_recorded_and_adds_nothing(operator_client, held, rule, operator):
    assert _answer(operator_client, held, rule, "declined").status_code == 200
    offer = UpsellOffer.objects.get()
    assert (offer.sku, offer.outcome, offer.operator, offer.revenue) == (
        "FLT-1", "declined", operator, Decimal("0"))  # fmt: skip
    assert [i.sku for i in held.items.all()] == ["HRF-450"]
    note = OrderEvent.objects.get(order=held, type=OrderEventType.NOTE)
    assert note.data == {"upsell": "FLT-1", "outcome": "declined"}


def test_accepted_adds_the_product_and_counts_its_revenue(operator_client, held, rule, operator,
                                                          store):  # fmt: skip
    _answer(operator_client, held, rule, "offered")
    assert _answer(operator_client, held, rule, "accepted").status_code == 200
    assert _answer(operator_client, held, rule, "accepted").status_code == 200
    added = held.items.get(sku="FLT-1")
    assert (added.quantity, added.added_by_operator) == (1, True)
    offer = UpsellOffer.objects.get()
    assert (offer.outcome, offer.revenue) == ("accepted", Decimal("4500.00"))
    page = operator_client.get(reverse("workspace:desk")).content.decode()
    assert 'data-upsell="FLT-1"' not in page  # the order has it now

    rows = upsell_revenue_by_operator_day(
        store_ids=[store.pk], start=datetime(2000, 1, 1, tzinfo=UTC),
        end=datetime(2100, 1, 1, tzinfo=UTC), timezone="Asia/Almaty",
    )  # fmt: skip
    day = offer.at.astimezone(ZoneInfo("Asia/Almaty")).date()
    assert rows == [{"operator_id": operator.pk, "day": day, "offers": 1, "accepted": 1,
                     "revenue": Decimal("4500.00")}]  # fmt: skip
    assert isinstance(rows[0]["day"], date)


def test_a_rule_of_another_store_is_refused(operator_client, held, rule):
    from orderdesk.stores.services import store_create

    other, _ = store_create(name="Другой", slug="other-up")
    alien = Product.objects.create(store=other, sku="X", name="X", price="1.00", stock_quantity=1)
    foreign = UpsellRule.objects.create(store=other, when_sku="HRF-450", offer=alien, phrase_ru="?")
    assert _answer(operator_client, held, foreign, "accepted").status_code == 422
    assert not UpsellOffer.objects.exists()
    assert [i.sku for i in held.items.all()] == ["HRF-450"]
