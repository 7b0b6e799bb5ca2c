"""The script's offer step (upsell and cross-sell): its lead-in phrase in Russian and Kazakh, for
website and Kaspi orders alike, after the address and before the delivery date and the closing
(seed 003: stock, delivery, offer more, then confirm and agree the time). The store's offers
follow it on the card, each with its own phrase. Fills only a missing default; reversing removes
the defaults left as they were shipped."""

from django.db import migrations, models

# (situation, position, title_ru, text_ru, title_kk, text_kk)
OFFER = (
    "upsell", 45,
    "Предложить дополнительно",
    "Итак, сумма заказа — {total}. Кстати, к вашей покупке у нас есть полезное предложение.",
    "Қосымша ұсыну",
    "Сонымен, тапсырыс сомасы — {total}. Айтпақшы, сатып алуыңызға пайдалы ұсынысымыз бар.",
)  # fmt: skip
SOURCES = ("website", "kaspi")


def default_modules():
    situation, position, title_ru, text_ru, title_kk, text_kk = OFFER
    for source in SOURCES:
        yield source, "ru", situation, position, title_ru, text_ru
        yield source, "kk", situation, position, title_kk, text_kk


def install_defaults(apps, schema_editor):
    speech_module = apps.get_model("workspace", "SpeechModule")
    present = set(
        speech_module.objects.filter(store__isnull=True).values_list(
            "source", "language", "situation"
        )
    )
    speech_module.objects.bulk_create(
        speech_module(
            source=source, language=language, situation=situation, position=position,
            title=title, text=text,
        )
        for source, language, situation, position, title, text in default_modules()
        if (source, language, situation) not in present
    )  # fmt: skip


def remove_defaults(apps, schema_editor):
    speech_module = apps.get_model("workspace", "SpeechModule")
    for source, language, situation, _position, title, text in default_modules():
        speech_module.objects.filter(
            store__isnull=True, source=source, language=language, situation=situation,
            title=title, text=text,
        ).delete()  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("workspace", "0005_delivery_problem_speech_modules")]

    operations = [
        migrations.AlterField(
            model_name="speechmodule",
            name="situation",
            field=models.CharField(
                choices=[
                    ("greeting", "Greeting"),
                    ("all_orders", "Several open orders"),
                    ("address_check", "Reading the address back"),
                    ("address_incomplete", "Address incomplete"),
                    ("date_moved", "Requested date not possible"),
                    ("late_confirmation", "Confirmed after the cut-off time"),
                    ("no_same_day", "No same-day delivery"),
                    ("date_inconvenient", "Customer cannot receive on that date"),
                    ("out_of_city", "Out-of-city address: delivery check"),
                    ("delivery_impossible", "Delivery impossible: brand stores"),
                    ("elevator", "Elevator"),
                    ("time_wish", "Delivery time wish"),
                    ("bad_connection", "Bad connection"),
                    ("other_recipient", "Voice is not the recipient's"),
                    ("upsell", "Offer more: upsell and cross-sell"),
                    ("confirmed", "Closing: order confirmed"),
                    ("problem_customer_absent", "Delivery problem: customer absent"),
                    ("problem_address_not_found", "Delivery problem: address not found"),
                    ("problem_refused", "Delivery problem: refused"),
                    ("problem_damaged", "Delivery problem: damaged"),
                    ("problem_other", "Delivery problem: other"),
                ],
                max_length=32,
                verbose_name="situation",
            ),
        ),
        migrations.RunPython(install_defaults, remove_defaults),
    ]
