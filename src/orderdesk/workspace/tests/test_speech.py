"""The call script: the shipped default set, the choice of modules, and filling them."""

import pytest

from orderdesk.workspace.models import (
    PROBLEM_SITUATIONS,
    ScriptLanguage,
    ScriptSource,
    Situation,
    SpeechModule,
)
from orderdesk.workspace.selectors import script_for_order, speech_modules_for_order
from orderdesk.workspace.speech import speech_fill, speech_placeholders

pytestmark = pytest.mark.django_db

KNOWN_PLACEHOLDERS = {
    "customer_name", "operator_name", "store_name", "order_numbers", "orders_count", "locality",
    "address", "recipient_name", "earliest_date", "delivery_date", "requested_date", "lead_days",
    "cutoff", "carrier", "intervals", "callback_time", "time_wish", "total",
}  # fmt: skip


def test_default_set_covers_every_situation_in_both_languages_and_sources():
    for source in ScriptSource.values:
        for language in ScriptLanguage.values:
            situations = set(
                SpeechModule.objects.filter(
                    store=None, source=source, language=language
                ).values_list("situation", flat=True)
            )
            assert situations == set(Situation.values), (source, language)


def test_default_texts_use_only_known_placeholders():
    for module in SpeechModule.objects.all():
        assert speech_placeholders(module.text) <= KNOWN_PLACEHOLDERS, module


def test_fill_replaces_known_and_keeps_missing_visible():
    assert speech_fill("Hi {customer_name}, date {earliest_date}", {"customer_name": "Aigul"}) == (
        "Hi Aigul, date {earliest_date}"
    )


def test_fill_does_not_interpret_markup_or_format_specs():
    text = speech_fill("{customer_name} {0} {customer_name.__class__}", {"customer_name": "<b>"})
    assert text == "<b> {0} {customer_name.__class__}"


def test_customer_language_picks_kazakh_modules(make_order):
    order = make_order(customer={"name": "Айгуль", "phone": "+7 701 123 45 67", "language": "kk"})
    modules = speech_modules_for_order(order=order)
    assert {m.language for m in modules} == {"kk"}
    assert modules[0].situation == Situation.GREETING


def test_language_without_script_falls_back_to_russian(make_order):
    order = make_order(customer={"name": "Jane", "phone": "+7 701 123 45 67", "language": "en"})
    assert {m.language for m in speech_modules_for_order(order=order)} == {"ru"}


def test_kaspi_orders_get_the_kaspi_script(make_order):
    order = make_order(
        source="kaspi", customer={"name": "Ержан", "phone": "+7 701 555 00 11", "language": "ru"}
    )
    context = {"customer_name": "Ержан", "store_name": "Мебель Плюс", "operator_name": "Алия",
               "order_numbers": "K-1", "orders_count": 1}  # fmt: skip
    lines = script_for_order(order=order, context=context)
    greeting = next(line for line in lines if line.situation == Situation.GREETING)
    assert "Kaspi.kz" in greeting.text
    assert greeting.text.startswith("Здравствуйте, Ержан!")


def test_store_module_replaces_the_default(make_order, store):
    order = make_order(customer={"name": "Иван", "phone": "+7 701 000 11 22", "language": "ru"})
    SpeechModule.objects.create(
        store=store, source="website", language="ru", situation=Situation.GREETING,
        title="Свой", text="Добрый день, {customer_name}, это {store_name}.", position=1,
    )  # fmt: skip
    lines = script_for_order(order=order, context={"customer_name": "Иван", "store_name": "МП"})
    greetings = [line for line in lines if line.situation == Situation.GREETING]
    assert [g.text for g in greetings] == ["Добрый день, Иван, это МП."]
    # the confirmation's script: no delivery problem's phrase
    assert not {line.situation for line in lines} & set(PROBLEM_SITUATIONS)


def test_a_phrase_whose_data_is_missing_is_not_offered(make_order):
    """Before, "after {cutoff}" was read out for a carrier without a cut-off."""
    order = make_order(customer={"name": "Иван", "phone": "+7 701 000 11 22", "language": "ru"})
    lines = script_for_order(order=order, context={"customer_name": "Иван", "cutoff": ""})
    situations = {line.situation for line in lines}
    assert Situation.LATE_CONFIRMATION not in situations
    assert not [line.text for line in lines if speech_placeholders(line.text)]


def test_inactive_module_is_not_shown(make_order):
    order = make_order(customer={"name": "Иван", "phone": "+7 701 000 11 22", "language": "ru"})
    SpeechModule.objects.filter(
        store=None, source="website", language="ru", situation=Situation.ELEVATOR
    ).update(is_active=False)
    situations = {m.situation for m in speech_modules_for_order(order=order)}
    assert Situation.ELEVATOR not in situations


def test_script_on_the_card_is_filled_in_the_customers_language(make_order, ready_operator):
    from django.utils import timezone

    from orderdesk.calling.services.leases import call_next_claim
    from orderdesk.workspace.card import call_card_build

    make_order(customer={"name": "Айгерім", "phone": "+7 701 123 45 67", "language": "kk"})
    claim = call_next_claim(operator=ready_operator)
    card = call_card_build(lease=claim.lease, operator=ready_operator, at=timezone.now())
    texts = {line.situation: line.text for line in card.script}
    assert texts[Situation.GREETING].startswith("Сәлеметсіз бе, Айгерім! Менің атым op1")
    assert (
        "Абая, үй 10, пәтер 25, подъезд 2, қабат 5, домофон 25К" in texts[Situation.ADDRESS_CHECK]
    )
    assert "24.11.2026" in texts[Situation.DATE_MOVED]
    assert "{" not in texts[Situation.CONFIRMED]
