"""The default call script (speech modules) in Russian and Kazakh, for website and Kaspi orders.

Written from the contact center's confirmation checklist (seed 002): one module per situation of
the call. Admins edit or override them per store; this migration only fills an empty table and
leaves edited modules alone when reversed."""

from django.db import migrations

# (situation, position, title_ru, text_ru, title_kk, text_kk)
WEBSITE = [
    (
        "greeting", 10,
        "Приветствие",
        "Здравствуйте, {customer_name}! Меня зовут {operator_name}, компания {store_name}. "
        "Звоню подтвердить ваш заказ № {order_numbers}. Вам удобно говорить?",
        "Сәлемдесу",
        "Сәлеметсіз бе, {customer_name}! Менің атым {operator_name}, {store_name} компаниясы. "
        "Сіздің № {order_numbers} тапсырысыңызды растау үшін хабарласып тұрмын. "
        "Сөйлесуге ыңғайлы ма?",
    ),
    (
        "all_orders", 20,
        "Несколько заказов",
        "Вижу, у вас оформлено заказов: {orders_count} ({order_numbers}). "
        "Давайте подтвердим их все в этом разговоре.",
        "Бірнеше тапсырыс",
        "Сізде {orders_count} тапсырыс рәсімделген ({order_numbers}). "
        "Барлығын осы әңгімеде растап алайық.",
    ),
    (
        "address_check", 30,
        "Сверка адреса",
        "Сверим адрес доставки: {address}. Всё верно?",
        "Мекенжайды тексеру",
        "Жеткізу мекенжайын тексерейік: {address}. Бәрі дұрыс па?",
    ),
    (
        "address_incomplete", 40,
        "Адрес заполнен не полностью",
        "Возможно, информация не прогрузилась в системе. Подскажите, пожалуйста, улицу, "
        "номер дома, подъезд, этаж и код домофона.",
        "Мекенжай толық емес",
        "Бәлкім, ақпарат жүйеде толықтай жүктелмеді. Көшені, үй нөмірін, подъезді, қабатты "
        "және домофон кодын айтып жібересіз бе?",
    ),
    (
        "date_moved", 50,
        "Дата доставки невозможна",
        "Срок доставки в населённый пункт {locality} составляет {lead_days} дн., ближайшая дата "
        "доставки {earliest_date}. Если дата неудобна, согласуем другую в пределах 15 дней.",
        "Жеткізу күні мүмкін емес",
        "{locality} елді мекеніне жеткізу мерзімі {lead_days} күн, ең жақын жеткізу күні "
        "{earliest_date}. Бұл күн ыңғайсыз болса, 15 күн ішінде басқа күнді келісейік.",
    ),
    (
        "late_confirmation", 60,
        "Подтверждение после отсечки",
        "Так как подтверждение заказа после {cutoff}, ближайшая дата доставки {earliest_date}, "
        "интервал доставки {intervals}. Удобно получить заказ в этот день?",
        "Кесу уақытынан кейін растау",
        "Тапсырыс сағат {cutoff}-ден кейін расталғандықтан, ең жақын жеткізу күні "
        "{earliest_date}, жеткізу аралығы {intervals}. Осы күні қабылдау ыңғайлы ма?",
    ),
    (
        "no_same_day", 70,
        "Нет доставки день в день",
        "Транспортная компания {carrier} не осуществляет доставку день в день по вашему городу. "
        "На данный момент ближайшая дата доставки {earliest_date}. "
        "Удобно получить заказ в этот день?",
        "Сол күні жеткізу жоқ",
        "{carrier} тасымалдау компаниясы сіздің қалаңызда сол күні жеткізбейді. Қазіргі уақытта "
        "ең жақын жеткізу күні {earliest_date}. Осы күні қабылдау ыңғайлы ма?",
    ),
    (
        "date_inconvenient", 80,
        "Клиенту неудобна дата",
        "Если вам неудобно принять заказ в этот день, можем согласовать другую дату, изменить "
        "получателя или адрес доставки в пределах города.",
        "Күн ыңғайсыз",
        "Егер осы күні қабылдау ыңғайсыз болса, басқа күнді келісуге, алушыны өзгертуге немесе "
        "қала ішінде жеткізу мекенжайын өзгертуге болады.",
    ),
    (
        "out_of_city", 90,
        "Адрес за пределами города",
        "Ваш адрес находится за пределами города, мне необходимо уточнить возможность доставки. "
        "Удобно будет, если я перезвоню вам ориентировочно {callback_time}?",
        "Мекенжай қала шегінен тыс",
        "Сіздің мекенжайыңыз қала шегінен тыс орналасқан, жеткізу мүмкіндігін нақтылауым керек. "
        "Сізге шамамен {callback_time} қайта хабарлассам ыңғайлы ма?",
    ),
    (
        "delivery_impossible", 100,
        "Доставка невозможна",
        "Уточнил информацию. На данный момент доставка в ваш населённый пункт невозможна, "
        "рекомендуем уточнить наличие и возможность доставки в наших фирменных магазинах. "
        "Адреса и контакты есть на сайте в разделе «Фирменные магазины».",
        "Жеткізу мүмкін емес",
        "Ақпаратты нақтыладым. Қазіргі уақытта сіздің елді мекеніңізге жеткізу мүмкін емес. "
        "Тауардың бар-жоғын және жеткізу мүмкіндігін біздің фирмалық дүкендерден нақтылауды "
        "ұсынамыз. Мекенжайлар мен байланыстар сайттағы «Фирмалық дүкендер» бөлімінде.",
    ),
    (
        "elevator", 110,
        "Лифт",
        "Уточните, пожалуйста, лифт грузовой или пассажирский?",
        "Лифт",
        "Нақтылап жіберіңізші, лифт жүк лифті ме, әлде жолаушылар лифті ме?",
    ),
    (
        "time_wish", 120,
        "Пожелание по времени",
        "Я укажу в комментарии для курьерской службы, что вы сможете принять доставку "
        "{time_wish}. Комментарий будет учтён по возможности.",
        "Уақыт бойынша тілек",
        "Курьерлік қызметке арналған түсініктемеде жеткізуді {time_wish} қабылдай алатыныңызды "
        "көрсетемін. Түсініктеме мүмкіндігінше ескеріледі.",
    ),
    (
        "bad_connection", 130,
        "Плохая связь",
        "У вас проблемы со связью всех операторов связи? Уточните, пожалуйста, есть ли у вас "
        "номер телефона другого оператора, чтобы я мог оставить его дополнительным для курьера.",
        "Байланыс нашар",
        "Сізде барлық байланыс операторлары нашар жұмыс істейді ме? Сізде басқа байланыс "
        "операторының нөмірі бар ма? Оны курьер үшін қосымша нөмір ретінде қалдырамын.",
    ),
    (
        "other_recipient", 140,
        "Отвечает не получатель",
        "Получателем заказа указан(а) {recipient_name}. Пожалуйста, передайте получателю: "
        "доставка {delivery_date} по адресу {address}.",
        "Алушы емес жауап береді",
        "Тапсырыстың алушысы — {recipient_name}. Алушыға жеткізіп қоюыңызды өтінемін: жеткізу "
        "күні {delivery_date}, мекенжайы {address}.",
    ),
    (
        "confirmed", 150,
        "Заказ подтверждён",
        "Ваш заказ подтверждён. Доставка {delivery_date}, служба доставки {carrier}. Курьер "
        "позвонит перед приездом. Спасибо, что выбрали {store_name}!",
        "Тапсырыс расталды",
        "Сіздің тапсырысыңыз расталды. Жеткізу күні {delivery_date}, жеткізу қызметі {carrier}. "
        "Курьер келер алдында қоңырау шалады. {store_name} таңдағаныңызға рахмет!",
    ),
]  # fmt: skip

# Kaspi orders are paid and tracked in the Kaspi.kz app: their own opening and closing.
KASPI = {
    "greeting": (
        "Здравствуйте, {customer_name}! Меня зовут {operator_name}, магазин {store_name} на "
        "Kaspi.kz. Звоню по вашему заказу № {order_numbers} на Kaspi. Вам удобно говорить?",
        "Сәлеметсіз бе, {customer_name}! Менің атым {operator_name}, Kaspi.kz-тегі {store_name} "
        "дүкені. Kaspi-дегі № {order_numbers} тапсырысыңыз бойынша хабарласып тұрмын. "
        "Сөйлесуге ыңғайлы ма?",
    ),
    "confirmed": (
        "Ваш заказ подтверждён. Доставка {delivery_date}. Статус заказа вы увидите в "
        "приложении Kaspi.kz. Спасибо за покупку!",
        "Тапсырысыңыз расталды. Жеткізу күні {delivery_date}. Тапсырыс мәртебесін Kaspi.kz "
        "қосымшасынан көре аласыз. Сатып алғаныңызға рахмет!",
    ),
}  # fmt: skip


def default_modules():
    for source in ("website", "kaspi"):
        for situation, position, title_ru, text_ru, title_kk, text_kk in WEBSITE:
            if source == "kaspi" and situation in KASPI:
                text_ru, text_kk = KASPI[situation]
            yield source, "ru", situation, position, title_ru, text_ru
            yield source, "kk", situation, position, title_kk, text_kk


def install_defaults(apps, schema_editor):
    SpeechModule = apps.get_model("workspace", "SpeechModule")
    if SpeechModule.objects.exists():
        return
    SpeechModule.objects.bulk_create(
        SpeechModule(
            store=None, source=source, language=language, situation=situation,
            position=position, title=title, text=text,
        )
        for source, language, situation, position, title, text in default_modules()
    )  # fmt: skip


def remove_defaults(apps, schema_editor):
    SpeechModule = apps.get_model("workspace", "SpeechModule")
    for source, language, situation, _, _, text in default_modules():
        SpeechModule.objects.filter(
            store=None, source=source, language=language, situation=situation, text=text
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("workspace", "0001_initial")]

    operations = [migrations.RunPython(install_defaults, remove_defaults)]
