"""The timeline as people read it: a call task's move in words, without the ids programs use."""

from django.utils import timezone, translation

from orderdesk.accounts.models import User
from orderdesk.orders.models import OrderEvent, OrderEventType
from orderdesk.workspace.templatetags.workspace_tags import event_actor, event_summary


def test_a_task_move_reads_as_its_purpose_and_states_without_ids():
    event = OrderEvent(
        type=OrderEventType.QUEUE_CHANGED,
        data={
            "task": "01a20c08-4bed-7388-be92-a3d001af16a1",
            "lease": "01a20c08-4bed-7388-be92-a3d001af16a2",
            "purpose": "delivery_problem",
            "from": "queued",
            "to": "in_call",
        },
    )
    with translation.override("en"):
        assert event_summary(event) == "Delivery problem: In call queue → In call"
    with translation.override("kk"):
        assert event_summary(event) == "Жеткізу мәселесі: Қоңырау кезегінде → Қоңырауда"


def test_changes_name_fields_and_values_in_the_readers_language():
    """Before: "street: Абая → Сатпаева; delivery_on: 2026-11-25 → …; reason: min_gap"."""
    event = OrderEvent(
        type=OrderEventType.UPDATED,
        data={
            "changes": {
                "street": {"from": "Абая", "to": "Сатпаева"},
                "delivery_on": {"from": None, "to": "2026-11-24"},
                "status": {"from": "awaiting_confirmation", "to": "confirmed"},
            }
        },
    )
    with translation.override("en"):
        assert event_summary(event) == (
            "street: Абая → Сатпаева; agreed delivery date: — → Tue 24.11.2026; "
            "status: Awaiting confirmation → Confirmed"
        )


def test_no_iso_stamp_lease_id_or_code_reaches_the_reader():
    event = OrderEvent(
        type=OrderEventType.QUEUE_CHANGED,
        data={
            "task": "01a20c08-4bed-7388-be92-a3d001af16a1",
            "purpose": "confirmation",
            "from": "in_call",
            "to": "queued",
            "next_call_at": "2026-11-24T06:30:00+00:00",
            "reason": "lease_expired",
            "lease": "01a20c08-4bed-7388-be92-a3d001af16a2",
        },
    )
    with translation.override("en"), timezone.override("Asia/Almaty"):
        text = event_summary(event)
    assert text == (
        "Confirmation: In call → In call queue; next call: 24.11 11:30 (Asia/Almaty); "
        "reason: call lost (no heartbeat)"
    )
    assert "01a20c08" not in text and "T06:30" not in text and "lease_expired" not in text


def test_an_attempt_reads_as_its_ordinal_for_the_order_and_the_operator_by_name():
    operator = User(username="op7", first_name="Айгерим", role="operator")
    event = OrderEvent(
        type=OrderEventType.CALL_ATTEMPT,
        actor=operator,
        data={"attempt": 90817, "number": 3, "result": "no_answer", "notes": ""},
    )
    with translation.override("en"):
        assert event_summary(event) == "attempt 3; result: No answer"
        assert event_actor(event) == "operator Айгерим"
