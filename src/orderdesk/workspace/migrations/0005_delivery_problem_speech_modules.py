"""The default phrases of a delivery problem's call, one per reason the carrier gave, in Russian
and Kazakh, for website and Kaspi orders alike. Fills only situations without a default module;
reversing removes the defaults left as they were shipped."""

from django.db import migrations

# (situation, position, title_ru, text_ru, title_kk, text_kk)
PROBLEMS = [
    (
        "problem_customer_absent", 210,
        "Курьер не застал клиента",
        "Здравствуйте, {customer_name}! Меня зовут {operator_name}, компания {store_name}. "
        "Курьер {carrier} приезжал с заказом № {order_numbers}, но не застал вас. Давайте "
        "согласуем новую дату доставки: ближайшая — {earliest_date}. Если удобнее, можем "
        "изменить адрес в пределах города или получателя.",
        "Курьер тұтынушыны таппады",
        "Сәлеметсіз бе, {customer_name}! Менің атым {operator_name}, {store_name} компаниясы. "
        "{carrier} курьері № {order_numbers} тапсырысыңызды әкелді, бірақ сізді таба алмады. "
        "Жаңа жеткізу күнін келісейік: ең жақыны — {earliest_date}. Ыңғайлырақ болса, қала "
        "ішінде мекенжайды немесе алушыны өзгерте аламыз.",
    ),
    (
        "problem_address_not_found", 220,
        "Адрес не найден",
        "Здравствуйте, {customer_name}! Меня зовут {operator_name}, компания {store_name}. "
        "Курьер не смог найти адрес доставки заказа № {order_numbers}: {address}. Уточните, "
        "пожалуйста, улицу, дом, подъезд, этаж и код домофона, и согласуем новую дату "
        "доставки: ближайшая — {earliest_date}.",
        "Мекенжай табылмады",
        "Сәлеметсіз бе, {customer_name}! Менің атым {operator_name}, {store_name} компаниясы. "
        "Курьер № {order_numbers} тапсырысының жеткізу мекенжайын таба алмады: {address}. "
        "Көшені, үйді, подъезді, қабатты және домофон кодын нақтылап берсеңіз, жаңа жеткізу "
        "күнін келісейік: ең жақыны — {earliest_date}.",
    ),
    (
        "problem_refused", 230,
        "Клиент отказался от заказа",
        "Здравствуйте, {customer_name}! Меня зовут {operator_name}, компания {store_name}. "
        "Курьер сообщил, что вы отказались принять заказ № {order_numbers}. Подскажите, "
        "пожалуйста, что случилось? Если дело в дате или адресе, мы доставим заново; если "
        "заказ не нужен, оформим возврат.",
        "Тұтынушы тапсырыстан бас тартты",
        "Сәлеметсіз бе, {customer_name}! Менің атым {operator_name}, {store_name} компаниясы. "
        "Курьер № {order_numbers} тапсырысын қабылдаудан бас тартқаныңызды хабарлады. Не "
        "болғанын айтып бересіз бе? Себебі күнде немесе мекенжайда болса, қайта жеткіземіз; "
        "тапсырыс қажет болмаса, қайтаруды рәсімдейміз.",
    ),
    (
        "problem_damaged", 240,
        "Товар повреждён",
        "Здравствуйте, {customer_name}! Меня зовут {operator_name}, компания {store_name}. "
        "Приносим извинения: заказ № {order_numbers} повредили при перевозке. Мы можем "
        "отправить его заново — ближайшая дата {earliest_date} — или оформить возврат.",
        "Тауар зақымдалған",
        "Сәлеметсіз бе, {customer_name}! Менің атым {operator_name}, {store_name} компаниясы. "
        "Кешірім сұраймыз: № {order_numbers} тапсырысы тасымалдау кезінде зақымданды. Оны "
        "қайта жібере аламыз — ең жақын күн {earliest_date} — немесе қайтаруды рәсімдейміз.",
    ),
    (
        "problem_other", 250,
        "Проблема с доставкой",
        "Здравствуйте, {customer_name}! Меня зовут {operator_name}, компания {store_name}. "
        "С доставкой заказа № {order_numbers} возникла проблема. Давайте согласуем, как "
        "поступить: новая дата доставки (ближайшая — {earliest_date}) или возврат заказа.",
        "Жеткізуде мәселе",
        "Сәлеметсіз бе, {customer_name}! Менің атым {operator_name}, {store_name} компаниясы. "
        "№ {order_numbers} тапсырысын жеткізуде мәселе туындады. Не істейтінімізді келісейік: "
        "жаңа жеткізу күні (ең жақыны — {earliest_date}) немесе тапсырысты қайтару.",
    ),
]  # fmt: skip
SOURCES = ("website", "kaspi")


def default_modules():
    for situation, position, title_ru, text_ru, title_kk, text_kk in PROBLEMS:
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
    dependencies = [
        ("workspace", "0004_desk_preference"),]

    operations = [migrations.RunPython(install_defaults, remove_defaults)]
