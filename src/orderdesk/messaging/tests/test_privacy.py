"""A customer's messages are in their export and go with their erasure."""

from orderdesk.messaging.models import Message, MessageStatus, OptOut
from orderdesk.messaging.services.opt_out import customer_opt_out
from orderdesk.messaging.services.sending import messages_send_due
from orderdesk.orders.extensions import customer_notify

from .conftest import NOW


def test_export_lists_the_messages_and_erasure_replaces_them(
    clock, channels, make_customer_order, store_api
):
    order = make_customer_order(phone="+77025550011")
    customer_notify(order=order, event="order_received", at=NOW)
    messages_send_due()
    customer_notify(order=order, event="delivered", at=NOW)  # still queued when erased
    customer_opt_out(customer=order.customer, via="operator")
    (exported,) = store_api.get("/api/v1/customers/export", phone="+77025550011").json()[
        "customers"
    ]
    assert sorted((m["event"], m["to"]) for m in exported["messages"]) == [
        ("delivered", "+77025550011"), ("order_received", "+77025550011")
    ]  # fmt: skip
    assert store_api.post("/api/v1/customers/erase", {"phone": "+77025550011"}).status_code == 200
    rows = {m.event: m for m in Message.objects.filter(order=order)}
    assert {(m.to, m.body, m.subject) for m in rows.values()} == {("erased", "", "")}
    assert rows["order_received"].status == MessageStatus.SENT
    assert (rows["delivered"].status, rows["delivered"].error) == ("failed", "personal data erased")
    assert not OptOut.objects.exists()
    assert messages_send_due() == 0
