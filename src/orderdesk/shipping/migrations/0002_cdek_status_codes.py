"""CDEK's order status codes (API v2) read in the normalised tracking set: the defaults an admin
edits in the admin (`CarrierStatusCode`). Fills only codes not there yet; reversing removes the
defaults left as they were shipped."""

from django.db import migrations

# (code, status, reason, description)
CDEK = [
    ("ACCEPTED", "info_received", "", "Принят: заказ создан в системе, данные проверяются"),
    ("CREATED", "info_received", "", "Создан: заказ зарегистрирован"),
    ("RECEIVED_AT_SHIPMENT_WAREHOUSE", "in_transit", "", "Принят на склад отправителя"),
    ("READY_FOR_SHIPMENT_IN_SENDER_CITY", "in_transit", "", "Выдан на отправку в г. отправителе"),
    ("TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY", "in_transit", "", "Сдан перевозчику в г. отправителе"),
    ("SENT_TO_TRANSIT_CITY", "in_transit", "", "Отправлен в г. транзит"),
    ("ACCEPTED_IN_TRANSIT_CITY", "in_transit", "", "Встречен в г. транзите"),
    ("ACCEPTED_AT_TRANSIT_WAREHOUSE", "in_transit", "", "Принят на склад транзита"),
    ("READY_FOR_SHIPMENT_IN_TRANSIT_CITY", "in_transit", "", "Выдан на отправку в г. транзите"),
    ("TAKEN_BY_TRANSPORTER_FROM_TRANSIT_CITY", "in_transit", "", "Сдан перевозчику в г. транзите"),
    ("SENT_TO_RECIPIENT_CITY", "in_transit", "", "Отправлен в г. получатель"),
    ("ACCEPTED_IN_RECIPIENT_CITY", "in_transit", "", "Встречен в г. получателе"),
    ("ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE", "in_transit", "", "Принят на склад доставки"),
    ("ACCEPTED_AT_PICK_UP_POINT", "out_for_delivery", "", "Принят на склад до востребования"),
    ("POSTOMAT_POSTED", "out_for_delivery", "", "Заложен в постамат"),
    ("TAKEN_BY_COURIER", "out_for_delivery", "", "Выдан на доставку"),
    ("RETURNED_TO_RECIPIENT_CITY_WAREHOUSE", "failed_attempt", "customer_absent",
     "Возвращен на склад доставки: вручить не удалось"),
    ("NOT_DELIVERED", "failed_attempt", "refused", "Не вручен"),
    ("POSTOMAT_SEIZED", "failed_attempt", "customer_absent", "Изъят из постамата курьером"),
    ("DELIVERED", "delivered", "", "Вручен"),
    ("POSTOMAT_RECEIVED", "delivered", "", "Изъят из постамата клиентом"),
    ("INVALID", "exception", "other", "Некорректный заказ"),
    ("RETURNED_TO_SENDER_CITY_WAREHOUSE", "returned", "", "Возвращен на склад отправителя"),
]


def add_codes(apps, schema_editor):
    code_model = apps.get_model("shipping", "CarrierStatusCode")
    known = set(code_model.objects.filter(carrier_code="cdek").values_list("code", flat=True))
    code_model.objects.bulk_create(
        code_model(carrier_code="cdek", code=code, status=status, reason=reason,
                   description=description)
        for code, status, reason, description in CDEK
        if code not in known
    )  # fmt: skip


def remove_codes(apps, schema_editor):
    code_model = apps.get_model("shipping", "CarrierStatusCode")
    for code, status, reason, description in CDEK:
        code_model.objects.filter(
            carrier_code="cdek", code=code, status=status, reason=reason, description=description
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("shipping", "0001_shipping")]

    operations = [migrations.RunPython(add_codes, remove_codes)]
