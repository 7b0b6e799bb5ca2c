"""The templates shipped with the product, per event and language (loaded by a data migration;
an admin edits them or adds a store's own). `confirmed` is legally required: it states the
contract's terms (date, total), so it goes even to a customer who opted out of the others."""

# event: (legally required, {language: (e-mail subject, text)})
DEFAULT_TEMPLATES: dict[str, tuple[bool, dict[str, tuple[str, str]]]] = {
    "order_received": (
        False,
        {
            "ru": (
                "Заказ {order_number} принят",
                "{store_name}: заказ {order_number} принят. Мы позвоним, чтобы подтвердить его.\n"
                "Подтвердить заказ, выбрать дату доставки или дополнить адрес можно здесь: "
                "{self_service_url}",
            ),
            "kk": (
                "{order_number} тапсырысы қабылданды",
                "{store_name}: {order_number} тапсырысы қабылданды. Оны растау үшін сізге "
                "қоңырау шаламыз.\n"
                "Тапсырысты растау, жеткізу күнін таңдау немесе мекенжайды толықтыру: "
                "{self_service_url}",
            ),
            "en": (
                "Order {order_number} received",
                "{store_name}: order {order_number} received. We will call you to confirm it.\n"
                "Confirm it, choose a delivery date or complete the address here: "
                "{self_service_url}",
            ),
        },
    ),
    "unreachable": (
        False,
        {
            "ru": (
                "Не удалось дозвониться по заказу {order_number}",
                "{store_name}: не удалось дозвониться до вас по заказу {order_number}.\n"
                "Подтвердите заказ и выберите дату доставки по ссылке: {self_service_url}",
            ),
            "kk": (
                "{order_number} тапсырысы бойынша хабарласа алмадық",
                "{store_name}: {order_number} тапсырысы бойынша сізге хабарласа алмадық.\n"
                "Тапсырысты растап, жеткізу күнін мына сілтеме арқылы таңдаңыз: "
                "{self_service_url}",
            ),
            "en": (
                "We could not reach you about order {order_number}",
                "{store_name}: we could not reach you about order {order_number}.\n"
                "Confirm it and choose a delivery date here: {self_service_url}",
            ),
        },
    ),
    "confirmed": (
        True,
        {
            "ru": (
                "Заказ {order_number} подтверждён",
                "{store_name}: заказ {order_number} подтверждён.\n"
                "Дата доставки: {delivery_date}\nВремя: {delivery_interval}\nСумма: {total}",
            ),
            "kk": (
                "{order_number} тапсырысы расталды",
                "{store_name}: {order_number} тапсырысы расталды.\n"
                "Жеткізу күні: {delivery_date}\nУақыты: {delivery_interval}\nСомасы: {total}",
            ),
            "en": (
                "Order {order_number} confirmed",
                "{store_name}: order {order_number} confirmed.\n"
                "Delivery date: {delivery_date}\nTime: {delivery_interval}\nTotal: {total}",
            ),
        },
    ),
    "shipped": (
        False,
        {
            "ru": (
                "Заказ {order_number} отправлен",
                "{store_name}: заказ {order_number} отправлен.\nСлужба доставки: {carrier}\n"
                "Трек-номер: {tracking_number}\nОтследить: {tracking_url}",
            ),
            "kk": (
                "{order_number} тапсырысы жөнелтілді",
                "{store_name}: {order_number} тапсырысы жөнелтілді.\nЖеткізу қызметі: {carrier}\n"
                "Трек-нөмірі: {tracking_number}\nБақылау: {tracking_url}",
            ),
            "en": (
                "Order {order_number} shipped",
                "{store_name}: order {order_number} has been shipped.\nCarrier: {carrier}\n"
                "Tracking number: {tracking_number}\nTrack it: {tracking_url}",
            ),
        },
    ),
    "out_for_delivery": (
        False,
        {
            "ru": (
                "Заказ {order_number} сегодня у курьера",
                "{store_name}: заказ {order_number} сегодня у курьера, ожидайте доставку.\n"
                "Отследить: {tracking_url}",
            ),
            "kk": (
                "{order_number} тапсырысы бүгін курьерде",
                "{store_name}: {order_number} тапсырысы бүгін курьерде, жеткізуді күтіңіз.\n"
                "Бақылау: {tracking_url}",
            ),
            "en": (
                "Order {order_number} is out for delivery",
                "{store_name}: order {order_number} is out for delivery today.\n"
                "Track it: {tracking_url}",
            ),
        },
    ),
    "delivery_problem": (
        False,
        {
            "ru": (
                "Проблема с доставкой заказа {order_number}",
                "{store_name}: при доставке заказа {order_number} возникла проблема. Мы свяжемся "
                "с вами, чтобы договориться о новой доставке.",
            ),
            "kk": (
                "{order_number} тапсырысын жеткізуде қиындық туындады",
                "{store_name}: {order_number} тапсырысын жеткізу кезінде қиындық туындады. "
                "Жаңа жеткізу уақытын келісу үшін сізбен хабарласамыз.",
            ),
            "en": (
                "A problem delivering order {order_number}",
                "{store_name}: there was a problem delivering order {order_number}. We will "
                "contact you to arrange a new delivery.",
            ),
        },
    ),
    "delivered": (
        False,
        {
            "ru": (
                "Заказ {order_number} доставлен",
                "{store_name}: заказ {order_number} доставлен. Спасибо за покупку!",
            ),
            "kk": (
                "{order_number} тапсырысы жеткізілді",
                "{store_name}: {order_number} тапсырысы жеткізілді. Сатып алғаныңызға рахмет!",
            ),
            "en": (
                "Order {order_number} delivered",
                "{store_name}: order {order_number} has been delivered. Thank you for your "
                "purchase!",
            ),
        },
    ),
    "feedback_request": (
        False,
        {
            "ru": (
                "Как вам заказ {order_number}?",
                "{store_name}: как вам заказ {order_number}? Оцените доставку, это займёт "
                "минуту: {feedback_url}",
            ),
            "kk": (
                "{order_number} тапсырысы ұнады ма?",
                "{store_name}: {order_number} тапсырысы ұнады ма? Жеткізуді бағалаңыз, бұл бір "
                "минут алады: {feedback_url}",
            ),
            "en": (
                "How was order {order_number}?",
                "{store_name}: how was order {order_number}? Rate the delivery, it takes a "
                "minute: {feedback_url}",
            ),
        },
    ),
}


def default_templates_install(template_model) -> None:
    """Write the shipped templates (store empty), keeping none of an older text; `template_model`
    is the model as a migration or the running code has it."""
    for event, (required, texts) in DEFAULT_TEMPLATES.items():
        for language, (subject, body) in texts.items():
            template_model.objects.update_or_create(
                store=None,
                event=event,
                language=language,
                defaults={"subject": subject, "body": body, "is_legally_required": required},
            )
