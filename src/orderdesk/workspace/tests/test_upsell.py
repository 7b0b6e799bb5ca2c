"""Upsell on the call card: the store's rule shows its phrase at the script's offer step (after
the address, before the delivery date and the closing), the answer is recorded per operator, an
accepted offer adds the product and its revenue counts for the operator's day."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from orderdesk.catalog.models import Category, Product, UpsellOffer, UpsellRule
from orderdesk.catalog.selectors import upsell_revenue_by_operator_day
from orderdesk.orders.models import OrderEvent, OrderEventType
from orderdesk.workspace.models import Situation, SpeechModule

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


def _desk(client) -> str:
    return client.get(reverse("workspace:desk")).content.decode()


def _script(page: str) -> str:
    """The script panel: its active steps, then the other phrases."""
    start = page.index('id="script"')
    return page[start : page.index("</section>", start)]


def _step(script: str, situation: str) -> str:
    """One step of the script, up to the next one."""
    start = script.index(f'data-situation="{situation}"')
    end = script.find('class="script-module', start)
    return script[start : end if end != -1 else len(script)]


def _active_steps(script: str) -> list[str]:
    active = script[: script.index('id="script-more"')]
    return re.findall(r'class="script-module active" data-situation="([a-z_]+)"', active)


def test_the_offer_is_a_step_of_the_script_in_the_customers_language(operator_client, held, rule):
    page = _desk(operator_client)
    script = _script(page)
    assert page.count('data-upsell="FLT-1"') == script.count('data-upsell="FLT-1"') == 1
    steps = _active_steps(script)
    assert "upsell" in steps  # after the address, before the delivery date and the closing
    assert steps.index("address_check") < steps.index("upsell")
    assert "confirmed" not in steps[: steps.index("upsell")]
    step = _step(script, "upsell")
    assert "Қосымша ұсыну" in step  # the order is in Kazakh: lead-in and phrase
    assert "Сонымен, тапсырыс сомасы — 259990.00 KZT." in step
    assert "Тоңазытқышқа су сүзгісін жиі алады — қосайық па?" in step
    assert f'action="{reverse("workspace:upsell", args=[held.pk])}"' in step
    assert f'name="rule" value="{rule.pk}"' in step
    for outcome in ("offered", "accepted", "declined"):
        assert f'name="outcome" value="{outcome}"' in step


def test_a_russian_order_hears_the_russian_phrase(operator_client, ready_operator, make_order,
                                                  rule):  # fmt: skip
    make_order(items=ITEMS,
               customer={"name": "Иван Тестов", "phone": "+7 701 000 11 22", "language": "ru"})  # fmt: skip
    operator_client.post(reverse("workspace:next"))
    step = _step(_script(_desk(operator_client)), "upsell")
    assert "Предложить дополнительно" in step
    assert "К холодильнику часто берут фильтр для воды — добавить?" in step
    assert "Тоңазытқыш" not in step


def test_no_offer_step_when_no_rule_applies(operator_client, ready_operator, make_order, rule):
    make_order(items=[{"sku": "TV-55", "name": "Телевизор", "quantity": 1, "price": "199990.00",
                       "category": "tv"}])  # fmt: skip
    operator_client.post(reverse("workspace:next"))
    page = _desk(operator_client)
    assert 'id="script"' in page and "address_check" in _active_steps(_script(page))
    assert 'data-situation="upsell"' not in page  # neither active nor among the other phrases
    assert "data-upsell=" not in page


def test_a_store_without_the_lead_in_still_gets_the_step_before_the_closing(operator_client,
                                                                          held):  # fmt: skip
    SpeechModule.objects.filter(situation=Situation.UPSELL).update(is_active=False)
    script = _script(_desk(operator_client))
    steps = _active_steps(script)
    assert "upsell" in steps
    step = _step(script, "upsell")
    assert "Қосымша ұсыну: қосымша сату және ілеспе тауарлар" in step  # the step's name, in Kazakh
    assert "Тоңазытқышқа су сүзгісін жиі алады — қосайық па?" in step
    more = script[script.index('id="script-more"') :]
    assert 'data-situation="confirmed"' in more  # the closing, not yet due, after it


def test_the_step_stays_while_offered_and_leaves_once_answered(operator_client, held, rule):
    response = _answer(operator_client, held, rule, "offered")
    assert response.status_code == 200
    step = _step(_script(response.content.decode()), "upsell")  # the script, swapped in place
    assert 'data-outcome="offered"' in step
    response = _answer(operator_client, held, rule, "declined")
    assert 'data-situation="upsell"' not in response.content.decode()
    assert 'data-situation="upsell"' not in _desk(operator_client)


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
